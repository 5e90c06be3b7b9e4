/**
 * One owner per embedded database folder. PGlite is a whole PostgreSQL inside one process: two processes on the
 * same folder overwrite each other's pages (the corruption and the lost writes of issue 11). The process that
 * opens a folder creates `<folder>.lock` with O_EXCL (mode 0600) and writes who it is; a second process finds
 * the file and is refused with a French message naming the owner. A server adds its URL and a random admin
 * token once it listens, so that writing commands can send their work to it instead (see `admin.ts`).
 *
 * A process killed with -9 leaves its file behind: the next opener sees that the recorded pid is dead (or that
 * the pid now belongs to another process, by its start time in /proc) and takes the folder over at once.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { UsageError } from "./command.ts";

/** What the lock file says about its owner. */
export interface OwnerInfo {
  pid: number;
  /** ISO date of when the folder was opened. */
  since: string;
  /** The command that opened it (« serve », « places import »…). */
  command: string;
  host: string;
  /** Start time of the process (Linux: clock ticks since boot), to tell a reused pid from the owner. */
  started: string | null;
  /** A server's address and admin token, once it listens. */
  url?: string;
  token?: string;
}

/** The folder is owned by another live process. */
export class FolderBusy extends UsageError {
  constructor(
    readonly folder: string,
    readonly owner: OwnerInfo,
  ) {
    super(busyMessage(folder, owner));
  }
}

function busyMessage(folder: string, o: OwnerInfo): string {
  const since = new Date(o.since);
  const when = Number.isNaN(since.getTime())
    ? ""
    : `, depuis le ${since.toLocaleString("fr-FR", { dateStyle: "long", timeStyle: "medium" })}`;
  const where = o.url ? `, sur ${o.url}` : "";
  const other = o.host !== hostname() ? ` sur la machine ${o.host}` : "";
  return (
    `la base embarquée ${folder} est déjà ouverte par un autre processus Maillage : « maillage ${o.command} » ` +
    `(pid ${o.pid}${other}${when}${where}). Deux processus sur la même base embarquée l'abîmeraient : ` +
    `arrêtez-le d'abord (Ctrl+C dans son terminal, ou kill ${o.pid}), ou, pour plusieurs serveurs, ` +
    "passez à PostgreSQL (maillage db copy --to postgres://…)."
  );
}

/** Start time of a process from /proc (Linux); null elsewhere or when it does not exist. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (2nd field) may contain spaces: count from the closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function alive(o: OwnerInfo): boolean {
  if (o.host !== hostname()) return true; // cannot tell: another machine on a shared folder
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  // The pid exists; on Linux, check that it is still the same process (pids are reused).
  const now = processStart(o.pid);
  return o.started === null || now === null || now === o.started;
}

function readOwner(path: string): OwnerInfo | null | "unreadable" {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as OwnerInfo;
    return typeof o.pid === "number" ? o : "unreadable";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? null : "unreadable";
  }
}

/** A lock held by this process; `announce` adds the server's address, `release` removes it. */
export interface FolderLock {
  readonly info: OwnerInfo;
  announce(extra: { url: string; token: string }): void;
  release(): void;
}

const held = new Set<string>();
process.once("exit", () => {
  for (const path of held) {
    try {
      unlinkSync(path);
    } catch {}
  }
});

/** A fresh admin token (256 random bits). */
export const newAdminToken = (): string => randomBytes(32).toString("base64url");

/**
 * Takes the folder for this process, or throws FolderBusy naming the live owner. A lock left by a dead process
 * is taken over; one that cannot be read (being written at this very moment) is waited for up to a second.
 */
export function lockFolder(folder: string, command: string): FolderLock {
  const path = `${folder}.lock`;
  const info: OwnerInfo = {
    pid: process.pid,
    since: new Date().toISOString(),
    command,
    host: hostname(),
    started: processStart(process.pid),
  };
  const write = (o: OwnerInfo) => {
    // Written beside and renamed: a reader never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(o), { mode: 0o600 });
    renameSync(tmp, path);
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = readOwner(path);
    if (owner === null) continue; // released meanwhile
    if (owner === "unreadable") {
      const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < 1000 && attempt < 100) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
    } else if (alive(owner)) {
      throw new FolderBusy(folder, owner);
    }
    // Stale: move it aside, and put it back if it turns out another process took the folder meanwhile.
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    const same =
      owner === "unreadable"
        ? moved === "unreadable"
        : moved !== null && moved !== "unreadable" && moved.pid === owner.pid;
    if (!same) {
      try {
        linkSync(aside, path);
      } catch {}
    }
    unlinkSync(aside);
    if (attempt > 20) throw new Error(`Impossible de prendre le verrou ${path}.`);
  }
  held.add(path);
  let current = info;
  return {
    get info() {
      return current;
    },
    announce(extra) {
      current = { ...current, ...extra };
      write(current);
    },
    release() {
      if (!held.delete(path)) return;
      const o = readOwner(path);
      if (o && o !== "unreadable" && o.pid === process.pid) unlinkSync(path);
    },
  };
}
