#!/usr/bin/env node
// Local Genesys Cloud Platform API emulator.
import { ensureBuilt } from './ensure-built.mjs';
await ensureBuilt('emulator/main.js');
await import('../build/emulator/main.js');
