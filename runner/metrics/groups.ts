// The root_group tree of the summary, kept by the metrics engine and rebuilt from the sample stream: the `group` tag names every group a
// sample came from, `checks` samples carry the check name and pass/fail. ids are md5 of the path, as in k6.
import { createHash } from 'node:crypto';
import type { Sample } from './types.ts';

export interface CheckData {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface GroupData {
  name: string;
  path: string;
  id: string;
  groups: GroupData[];
  checks: CheckData[];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export class GroupTree {
  readonly root: GroupData = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  private readonly byPath = new Map<string, GroupData>([['', this.root]]);
  private readonly checks = new Map<string, CheckData>();

  /** Records the sample's group (creating parents in order of first appearance) and, for checks, the result. */
  add(s: Sample): void {
    const path = s.tags.group;
    if (path !== undefined && !this.byPath.has(path)) this.group(path);
    if (s.metric === 'checks' && s.tags.check !== undefined) {
      const check = this.check(path ?? '', s.tags.check);
      if (s.value !== 0) check.passes++;
      else check.fails++;
    }
  }

  private group(path: string): GroupData {
    const known = this.byPath.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('::');
    // A path is "::a::b"; anything not of that form is kept as a single group named by the whole tag.
    const parent = cut > 0 ? this.group(path.slice(0, cut)) : this.root;
    const name = cut >= 0 ? path.slice(cut + 2) : path;
    const g: GroupData = { name, path, id: md5(path), groups: [], checks: [] };
    parent.groups.push(g);
    this.byPath.set(path, g);
    return g;
  }

  private check(groupPath: string, name: string): CheckData {
    const path = `${groupPath}::${name}`;
    let c = this.checks.get(path);
    if (!c) {
      c = { name, path, id: md5(path), passes: 0, fails: 0 };
      this.group(groupPath).checks.push(c);
      this.checks.set(path, c);
    }
    return c;
  }
}
