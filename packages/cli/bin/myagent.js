#!/usr/bin/env node
// `myagent-manager` and `myagent`: the built CLI (`pnpm build` first, or run src/main.ts through tsx).
import '../dist/main.js';
