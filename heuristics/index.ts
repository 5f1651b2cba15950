import { binOrder } from './bin-order/index.js';
import { centring } from './centring/index.js';
import { channels } from './channels/index.js';
import { container } from './container/index.js';
import { detrend } from './detrend/index.js';
import { dims } from './dims/index.js';
import { rawDtype } from './raw-dtype/index.js';
import { hopAnalyzer } from './hop/index.js';
import { labels } from './labels/index.js';
import { magnitudeFit } from './magnitude-fit/index.js';
import { magnitudeScale } from './magnitude-scale/index.js';
import { phaseConvention } from './phase-convention/index.js';
import { phaseStructure } from './phase-structure/index.js';
import { phaseUnit } from './phase-unit/index.js';
import { recipe } from './recipe/index.js';
import type { Analyzer } from './types.js';
import { windowImprint } from './window/index.js';

/**
 * The registry: every analyzer, in the order the search runs them within a stage. Adding an analyzer
 * means writing its folder (heuristics/<name>/index.ts + private helpers) and listing it here; nothing else changes.
 */
// bin-order runs right after dims: every later analyzer reads frames in the order it decides.
// window-imprint runs after hop and phase-convention: with the hop and sign fixed an absolute-time drift
// is undone exactly (measured: the e2e window misses were absolute-time cases without the hop), and it
// evaluates half as many readings. detrend needs the window and phase convention fixed (it compares segments
// exactly). phase-structure runs first in its stage: it rules out readings whose phase is not a real signal's
// before anything costly runs on them. labels runs before recipe: a rate the file states beats a recipe's usual one.
export const ANALYZERS: readonly Analyzer[] = [
  container,
  rawDtype,
  channels,
  dims,
  binOrder,
  magnitudeScale,
  phaseUnit,
  phaseStructure,
  magnitudeFit,
  hopAnalyzer,
  phaseConvention,
  windowImprint,
  detrend,
  centring,
  labels,
  recipe,
];

export type { Analyzer, AnalyzerResult, Hypothesis, Stage } from './types.js';
/** The one analyzer output that is not a field value: the measured window behind window = 'estimated'. */
export { estimateWindow, measuredWindowOf } from './window/index.js';
