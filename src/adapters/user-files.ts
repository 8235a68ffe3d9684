import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ChartctlError } from '../core/errors.js';

/**
 * Values, secrets and environment files are configuration a person wrote: a
 * file above this is a mistake (or /dev/zero behind a link), not input. helm
 * itself reads --values without a limit; 10 MiB is far above any real values file.
 */
export const MAX_CONFIG_FILE_BYTES = 10 * 1024 * 1024;
/** Manifests, schemas and chart archives can be large: helm's own cap for a whole chart. */
export const MAX_BULK_FILE_BYTES = 100 * 1024 * 1024;

export interface UserFileOptions {
  /** The path as the user should see it (repository-relative, or as typed). */
  shown: string;
  /** What the file is, for messages: "values file", "secrets file", ... */
  what: string;
  maxBytes: number;
  /** Where the path came from, e.g. '(listed under "values" in environments/dev.yaml)'. */
  origin?: string;
  /** What to do about a wrong path, e.g. 'Check the path given to --values (relative paths are resolved from --cwd).' */
  hint: string;
  /** Error code for a missing file, for callers with an established one. */
  notFoundCode?: string;
}

/**
 * Reads a file whose path a user (or a file a user wrote) chose: a regular
 * file of at most maxBytes, or a ChartctlError that says what is wrong with it.
 * Never waits on a FIFO, never reads a device, never reports an errno as a crash.
 * The system calls are synchronous: the files are small local configuration, and an
 * asynchronous call is a thread-pool round trip, five a file (ten environment and values
 * files read at once took ~1.5 ms in a fresh Node, synchronously ~0.45 ms), and the first
 * one starts the thread pool's threads, which no command needs for anything else.
 */
export async function readUserFile(path: string, options: UserFileOptions): Promise<Buffer> {
  let fd;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw fileError(err, options);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw failure(options, 'FILE_IS_DIRECTORY', `is a directory, not a file`);
    if (!st.isFile()) throw failure(options, 'FILE_NOT_REGULAR', `is not a regular file (it is ${describeKind(st)})`);
    if (st.size > options.maxBytes) throw tooLarge(options);
    // Read at most one byte past the limit: the file may grow between stat and read. The buffer is the size
    // stat gave plus that byte (it was 1 MiB a read, twice: a lint of 12 environments held ~24 MiB of them
    // when it forked helm, and their external memory prompted V8's collections), doubled if the file grew.
    const limit = options.maxBytes + 1;
    let buffer = Buffer.allocUnsafe(Math.min(st.size + 1, limit));
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(Math.max(buffer.length * 2, 64 * 1024), limit));
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > options.maxBytes) throw tooLarge(options);
    }
    return buffer.subarray(0, filled);
  } catch (err) {
    throw err instanceof ChartctlError ? err : fileError(err, options);
  } finally {
    closeSync(fd);
  }
}

/** readUserFile, but a file that does not exist is `undefined`: for files that may sit beside another (a chart's `.prov`). */
export async function readUserFileIfPresent(path: string, options: Omit<UserFileOptions, 'notFoundCode'>): Promise<Buffer | undefined> {
  try {
    return await readUserFile(path, { ...options, notFoundCode: ABSENT });
  } catch (err) {
    if (err instanceof ChartctlError && err.code === ABSENT) return undefined;
    throw err;
  }
}
const ABSENT = 'FILE_ABSENT';

export async function readUserText(path: string, options: UserFileOptions): Promise<string> {
  return (await readUserFile(path, options)).toString('utf8');
}

export interface UserDirectoryOptions {
  shown: string;
  /** "--output-dir", "--destination", ... */
  what: string;
  hint: string;
  /** Mode of directories this call creates. */
  mode?: number;
}

/** Creates a user-chosen output directory (and its parents) or explains why it cannot be one. */
export async function ensureUserDirectory(path: string, options: UserDirectoryOptions): Promise<void> {
  const st = statOrAbsent(path, options);
  if (st && !st.isDirectory()) throw directoryFailure(options, 'FILE_NOT_DIRECTORY', 'exists and is not a directory');
  if (st) return;
  // Synchronous, as the stat: one call, and a thread-pool round trip (with fs/promises loaded for it) would cost more.
  try {
    mkdirSync(path, { recursive: true, mode: options.mode });
  } catch (err) {
    throw directoryError(err, options);
  }
}

/** Checks that an existing directory (such as --cwd) can be used, with the same messages. */
export async function checkUserDirectory(path: string, options: Omit<UserDirectoryOptions, 'mode'>): Promise<void> {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw directoryError(err, options);
  }
  if (!st.isDirectory()) throw directoryFailure(options, 'FILE_NOT_DIRECTORY', 'is not a directory');
}

/** Synchronous, as readUserFile's calls: undefined when nothing is there. */
function statOrAbsent(path: string, options: Omit<UserDirectoryOptions, 'mode'>): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    throw directoryError(err, options);
  }
}

function describeKind(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

function tooLarge(options: UserFileOptions): ChartctlError {
  return failure(options, 'FILE_TOO_LARGE', `is larger than ${mebibytes(options.maxBytes)}, the limit for a ${options.what}`, 'Check that the path names the file you meant; a file this large is not configuration.');
}

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

function failure(options: UserFileOptions, code: string, problem: string, hint = options.hint): ChartctlError {
  return new ChartctlError(`${options.shown}: ${options.what} ${problem}${options.origin ? ` ${options.origin}` : ''}.`, { code, hint });
}

/** Turns an errno from open/read into a clear refusal; unexpected codes are named, not crashed on. */
function fileError(err: unknown, options: UserFileOptions): ChartctlError {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return failure(options, options.notFoundCode ?? 'FILE_NOT_FOUND', 'not found');
    case 'EISDIR':
      return failure(options, 'FILE_IS_DIRECTORY', 'is a directory, not a file');
    case 'EACCES':
    case 'EPERM':
      return failure(options, 'FILE_UNREADABLE', 'cannot be read: permission denied', 'Check the permissions of the file and of the directories above it.');
    case 'ELOOP':
      return failure(options, 'FILE_UNREADABLE', 'cannot be read: too many levels of symbolic links', 'Check where the symbolic link points.');
    default:
      return failure(options, 'FILE_UNREADABLE', `cannot be read (${e.code ?? 'error'}: ${e.message})`, 'Check the path and the file.');
  }
}

function directoryFailure(options: Omit<UserDirectoryOptions, 'mode'>, code: string, problem: string, hint = options.hint): ChartctlError {
  return new ChartctlError(`${options.what} ${options.shown}: ${problem}.`, { code, hint });
}

function directoryError(err: unknown, options: Omit<UserDirectoryOptions, 'mode'>): ChartctlError {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return directoryFailure(options, 'FILE_NOT_FOUND', 'no such directory');
    case 'ENOTDIR':
    case 'EEXIST':
      return directoryFailure(options, 'FILE_NOT_DIRECTORY', 'a part of the path is a file, not a directory');
    case 'EACCES':
    case 'EPERM':
      return directoryFailure(options, 'FILE_UNREADABLE', 'permission denied', 'Check the permissions of the directory and of the directories above it.');
    case 'EROFS':
      return directoryFailure(options, 'FILE_UNREADABLE', 'the file system is read-only', options.hint);
    default:
      return directoryFailure(options, 'FILE_UNREADABLE', `cannot be used (${e.code ?? 'error'}: ${e.message})`, options.hint);
  }
}
