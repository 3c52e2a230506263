#!/usr/bin/env node
// k6-compatible runner: `runner run [flags] SCRIPT.js`.
import { ensureBuilt } from './ensure-built.mjs';
import { relaunch } from './relaunch.mjs';

await ensureBuilt('runner/cli.js');
if (!(await relaunch(new URL(import.meta.url)))) await import('../build/runner/cli.js');
