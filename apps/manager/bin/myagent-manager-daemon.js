#!/usr/bin/env node
// The manager daemon launcher: runs the built daemon (`pnpm build` first).
import '../dist/daemon-main.js';
