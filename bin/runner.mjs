#!/usr/bin/env node
// k6-compatible runner: `runner run [flags] SCRIPT.js`.
import { ensureBuilt } from './ensure-built.mjs';
await ensureBuilt('runner/cli.js');
await import('../build/runner/cli.js');
