/** The exit codes of SPEC §2; scripts and alerts depend on them. */
export const ExitCode = {
  Success: 0,
  Fatal: 1,
  Usage: 2,
  Partial: 3,
  Refused: 4,
  Locked: 5,
  Drift: 6,
  Interrupted: 130,
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
