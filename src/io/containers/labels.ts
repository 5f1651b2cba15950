/**
 * Which parts of a text table are axis labels rather than values (types.ts AxisLabels): a first
 * column of increasing row labels (frame times) under a header that names it ('' in pandas, 'Time'
 * in writetable) or above numeric column labels, or, without a header, a first column that steps
 * evenly while the next does not (Sonic Visualiser; a table that is a ramp throughout is values); and
 * a header whose cells after the corner are numbers (bin frequencies).
 */
import type { AxisLabels } from './types.js';

/** Header names of a row-label column: pandas' empty corner, time / frame / index words. */
const ROW_LABEL_NAME = /^(|t|times?|time[ _]?\(?s(ec(onds?)?)?\)?|frames?|index|idx|sec(onds?)?|s|unnamed: ?0)$/i;
/** Relative tolerance for "evenly stepped" (values printed with 6+ significant digits). */
const STEP_TOLERANCE = 1e-5;
const MIN_ROWS = 3;

function increasing(v: readonly number[]): boolean {
  if (v.length < 2 || v.some((x) => !Number.isFinite(x))) return false;
  for (let i = 1; i < v.length; i++) if (!(v[i] > v[i - 1])) return false;
  return true;
}

/** The constant step of an evenly spaced sequence, or null. */
export function evenStep(v: readonly number[]): number | null {
  if (!increasing(v) && !increasing([...v].reverse())) return null;
  const step = (v[v.length - 1] - v[0]) / (v.length - 1);
  const scale = Math.max(Math.abs(v[0]), Math.abs(v[v.length - 1]), Math.abs(step));
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i] - v[i - 1] - step) > STEP_TOLERANCE * scale) return null;
  return step;
}

/**
 * Labels of a table from its header cells (null without a header; each cell parsed, undefined when
 * not a number) and its sampled first two columns. `dropFirstColumn` says the first column is labels.
 */
export function findLabels(
  header: { text: string; value: number | undefined }[] | null,
  firstColumn: readonly number[],
  secondColumn: readonly number[],
): { dropFirstColumn: boolean; labels: AxisLabels | null } {
  const numericTail = header !== null && header.length > 2 && header.slice(1).every((c) => c.value !== undefined);
  let drop = false;
  if (header !== null && header.length > 1) {
    const corner = header[0].text.replace(/^"|"$/g, '').trim();
    const namedColumn = header[0].value === undefined && (ROW_LABEL_NAME.test(corner) || numericTail);
    drop = namedColumn && firstColumn.length >= 2 && increasing(firstColumn);
  } else if (header === null) {
    drop = firstColumn.length >= MIN_ROWS && increasing(firstColumn) && evenStep(firstColumn) !== null && evenStep(secondColumn) === null;
  }
  const columns = numericTail && drop && header ? header.slice(1).map((c) => c.value as number) : null;
  if (!drop && columns === null) return { dropFirstColumn: false, labels: null };
  const rowName = drop && header ? header[0].text.replace(/^"|"$/g, '').trim() : null;
  return { dropFirstColumn: drop, labels: { columns, rows: drop ? [...firstColumn] : null, rowName } };
}
