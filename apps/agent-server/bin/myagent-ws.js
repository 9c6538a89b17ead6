#!/usr/bin/env node
// The `myagent-ws` launcher: runs the built CLI (`pnpm build` first).
import '../dist/cli.js';
