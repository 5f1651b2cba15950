/** Where the CLI writes: stdout for results, stderr for progress and logs (tests pass strings). */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stderr is a terminal: progress bars are drawn. */
  isTTY: boolean;
}
