import type { PartialStftConfig } from './types.js';

/** A config's values as dotted field names (the `--set` spelling: 'magnitudeFile.dtype'). */
export function flatten(values: PartialStftConfig): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(values)) {
    if ((k === 'magnitudeFile' || k === 'phaseFile') && v !== null && typeof v === 'object') {
      for (const [s, sv] of Object.entries(v as Record<string, unknown>)) out.push([`${k}.${s}`, sv]);
    } else out.push([k, v]);
  }
  return out;
}

/** A copy of `values` with the dotted `field` set to `v`. */
export function setFlat(values: PartialStftConfig, field: string, v: unknown): PartialStftConfig {
  const dot = field.indexOf('.');
  if (dot < 0) return { ...values, [field]: v };
  const head = field.slice(0, dot) as 'magnitudeFile' | 'phaseFile';
  const cur = values[head];
  return { ...values, [head]: { ...(cur ?? {}), [field.slice(dot + 1)]: v } };
}
