/**
 * One convention for every `maillage` command: exit code 0 when done, 2 when the input is wrong (bad option,
 * unknown territory, unreadable file: a plain French message, nothing written), 1 for an unexpected failure (the
 * error is printed whole). A command reports bad input by throwing `UsageError`, or by printing its message
 * itself and returning `EXIT.usage`.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Bad input to a command: its message, in plain French, is printed as « Erreur : … », exit code 2. */
export class UsageError extends Error {}
