import { magnitudeScale } from './magnitude-scale.js';
import { phaseUnit } from './phase-unit.js';
import type { Analyzer } from './types.js';

/**
 * The registry: every analyzer, in the order the search runs them within a stage. Adding an analyzer
 * means writing its module and listing it here; nothing else changes.
 */
export const ANALYZERS: readonly Analyzer[] = [magnitudeScale, phaseUnit];

export type { Analyzer, AnalyzerResult, Hypothesis, Stage } from './types.js';
