#!/usr/bin/env node
// `make k6-operator TEST=load PARALLELISM=4`; the work is in k6-operator.ts (run through tsx, a dev dependency).
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./k6-operator.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2), process.env);
