/**
 * The two ways backup, restore and export --all fail on purpose, each one line for the operator.
 * A refusal (exit 2) protects data: an existing file, a non-empty database or directory. A file
 * error (exit 1) is a backup that cannot be read: truncated, corrupt, from a newer loften.
 */
export class ArchiveRefusedError extends Error {}

export class BackupFileError extends Error {}
