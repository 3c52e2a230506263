// One folder per run under reports/, named by UTC start time and test, and a `latest` link to the newest run
// that wrote reports: a run that never started, or whose engine wrote nothing, leaves `latest` where it was
// (CI reads reports/latest/summary.md whatever happened).
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';

/** 2026-11-29T02:55:01.123Z -> 20261129T025501Z */
export function runStamp(date = new Date()) {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Throws when reports/latest is there but not a link, before a run whose reports could not be linked. */
export function checkLatest(reportsRoot) {
  const latest = path.join(reportsRoot, 'latest');
  if (existsSync(latest) && !lstatSync(latest).isSymbolicLink()) {
    throw new Error(`${latest} exists and is not a symlink; remove it so it can point at the newest run`);
  }
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

/**
 * Points reports/latest at the run folder, swapped in with a rename so readers never see it missing.
 * Returns where it pointed before (null: nowhere), for unlinkRun.
 */
export function linkLatest(reportsRoot, runName) {
  checkLatest(reportsRoot);
  const before = target(path.join(reportsRoot, 'latest'));
  pointLatest(reportsRoot, runName);
  return before;
}

/**
 * A run that wrote no report: `latest` goes back to `before` if it still points at this run (another run may
 * have moved it since), and the folder is removed unless it holds one of `keep`. True when it was kept.
 */
export function unlinkRun(reportsRoot, runName, before, keep = []) {
  const latest = path.join(reportsRoot, 'latest');
  if (target(latest) === runName) {
    if (before) pointLatest(reportsRoot, before);
    else rmSync(latest, { force: true });
  }
  const dir = path.join(reportsRoot, runName);
  const kept = existsSync(dir) && readdirSync(dir).some((f) => keep.includes(f));
  if (!kept) rmSync(dir, { recursive: true, force: true });
  return kept;
}

function pointLatest(reportsRoot, runName) {
  const temp = path.join(reportsRoot, `.latest-${process.pid}`);
  rmSync(temp, { force: true });
  symlinkSync(runName, temp);
  renameSync(temp, path.join(reportsRoot, 'latest'));
}

function target(link) {
  try {
    return readlinkSync(link);
  } catch {
    return null;
  }
}
