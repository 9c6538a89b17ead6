import { createRouter, createWebHistory } from 'vue-router';
import OverviewPage from './pages/OverviewPage.vue';

// The overview is in the first bundle (it is the first screen); every other page loads on first visit.
export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'overview', component: OverviewPage, meta: { title: 'Overview' } },
    {
      path: '/services',
      name: 'services',
      component: () => import('./pages/ServicesPage.vue'),
      meta: { title: 'Services' },
    },
    {
      path: '/services/:id',
      name: 'service',
      component: () => import('./pages/ServicePage.vue'),
      props: true,
      meta: { title: 'Service' },
    },
    {
      path: '/routing',
      name: 'routing',
      component: () => import('./pages/RoutingPage.vue'),
      meta: { title: 'Routing' },
    },
    { path: '/chat', name: 'chat', component: () => import('./pages/ChatPage.vue'), meta: { title: 'Chat' } },
    {
      path: '/traces',
      name: 'traces',
      component: () => import('./pages/TracesPage.vue'),
      meta: { title: 'Traces' },
    },
    {
      path: '/traces/:id',
      name: 'trace',
      component: () => import('./pages/TracesPage.vue'),
      props: true,
      meta: { title: 'Trace' },
    },
    {
      path: '/audit',
      name: 'audit',
      component: () => import('./pages/AuditPage.vue'),
      meta: { title: 'Audit' },
    },
    {
      path: '/:rest(.*)*',
      name: 'missing',
      component: () => import('./pages/MissingPage.vue'),
      meta: { title: 'Not found' },
    },
  ],
});

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} · MyAgent Manager`;
});
