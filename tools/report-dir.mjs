// One folder per run under reports/, named by UTC start time and test, and a `latest` link to the newest.
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** 2026-11-29T02:55:01.123Z -> 20261129T025501Z */
export function runStamp(date = new Date()) {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Creates reports/<stamp>-<test>/ (k6 does not create directories for handleSummary files). */
export function createRunDir(reportsRoot, test, date = new Date()) {
  mkdirSync(reportsRoot, { recursive: true });
  const base = `${runStamp(date)}-${test}`;
  let name = base;
  for (let i = 2; existsSync(path.join(reportsRoot, name)); i++) name = `${base}-${i}`;
  mkdirSync(path.join(reportsRoot, name));
  return name;
}

/** Points reports/latest at the run folder; swapped in with a rename so readers never see it missing. */
export function linkLatest(reportsRoot, runName) {
  const latest = path.join(reportsRoot, 'latest');
  if (existsSync(latest) && !lstatSync(latest).isSymbolicLink()) {
    throw new Error(`${latest} exists and is not a symlink; remove it so it can point at the newest run`);
  }
  const temp = path.join(reportsRoot, `.latest-${process.pid}`);
  rmSync(temp, { force: true });
  symlinkSync(runName, temp);
  renameSync(temp, latest);
}
