import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Discovery {
  /** The nearest directory holding environments/, if any. */
  root: string | undefined;
  /** Every directory looked at, nearest first (named when none was found). */
  searched: string[];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The application repository `start` is in, found the way git finds `.git`: `start`, then each
 * parent, up to the filesystem root. A directory holding `.git` but no environments/ ends the
 * search: it is the top of a git work tree that is not an application repository, and an
 * application repository around it (a parent checkout) is a different project.
 */
export function discoverAppRepo(start: string): Discovery {
  const searched: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    searched.push(dir);
    if (isDirectory(join(dir, 'environments'))) return { root: dir, searched };
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return { root: undefined, searched };
  }
}
