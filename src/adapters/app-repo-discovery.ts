import { existsSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Discovery {
  /** The nearest directory holding environments/, if any. */
  root: string | undefined;
  /** Every directory looked at, nearest first (named when none was found). */
  searched: string[];
  /** A parent's environments/ passed over because another user owns it. */
  foreign?: { dir: string; uid: number };
}

function directoryStats(path: string): Stats | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? st : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The application repository `start` is in, found the way git finds `.git`: `start`, then each
 * parent, up to the filesystem root. A directory holding `.git` but no environments/ ends the
 * search: it is the top of a git work tree that is not an application repository, and an
 * application repository around it (a parent checkout) is a different project.
 *
 * Like git's safe.directory check, a parent's environments/ owned by another user ends the
 * search unused: anyone can create /tmp/environments, and its environment files would choose
 * the charts, values and clusters of a command run in /tmp/x. The start directory itself (the
 * current directory or --cwd) is the user's own choice and is used whoever owns it.
 */
export function discoverAppRepo(start: string, uid: number | undefined = process.getuid?.()): Discovery {
  const searched: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    searched.push(dir);
    const environments = directoryStats(join(dir, 'environments'));
    if (environments) {
      if (dir === start || uid === undefined || environments.uid === uid) return { root: dir, searched };
      return { root: undefined, searched, foreign: { dir, uid: environments.uid } };
    }
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return { root: undefined, searched };
  }
}
