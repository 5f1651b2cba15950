import * as zlib from 'node:zlib';
import { InputError } from '../../errors.js';
import { RawFileSource, type ValueSource } from '../source.js';
import { type FileBytes, inflateExact, inflatePrefix, MAX_DEFLATE_RATIO, withFile } from './fileio.js';
import { checkNpyFits, npyEntry, npyFromBytes, type NpyHeader, npyHeaderLength, npySource, parseNpyHeader } from './npy.js';
import { type ArrayEntry, type ContainerInfo } from './types.js';
import { memberDataOffset, readZipDirectory, type ZipMember } from './zip.js';

/**
 * Compressed bytes inflated while looking for a deflated member's .npy header: a first small probe,
 * then one that covers any header numpy writes (it refuses headers over 10000 bytes by default).
 * Deflate expands at most ~1032x, so even a hostile prefix inflates to < 80 MB.
 */
const HEADER_PROBES = [4096, 72 * 1024];

interface NpzMember {
  member: ZipMember;
  name: string;
  dataStart: number;
  header: NpyHeader;
}

function arrayName(memberName: string): string {
  return memberName.slice(0, -'.npy'.length);
}

/** The .npy header of a member, inflating only a bounded prefix when the member is deflated. */
function memberHeader(fb: FileBytes, m: ZipMember, dataStart: number): NpyHeader {
  const what = `npz member "${m.name}"`;
  if (m.method === 0) {
    const len = npyHeaderLength(fb.read(dataStart, Math.min(12, m.compressedSize), what), fb.file, what);
    if (len > m.compressedSize) throw new InputError(fb.file, `${what}: .npy header truncated`);
    return parseNpyHeader(fb.read(dataStart, len, what), fb.file, what);
  }
  for (const probeLen of HEADER_PROBES) {
    const probe = Math.min(m.compressedSize, probeLen);
    const head = inflatePrefix(fb.file, fb.read(dataStart, probe, what), false, what);
    if (head.length >= 12 && head.length >= npyHeaderLength(head, fb.file, what)) return parseNpyHeader(head, fb.file, what);
    if (probe === m.compressedSize) break;
  }
  throw new InputError(fb.file, `${what}: .npy header truncated or too long`);
}

function listMembers(fb: FileBytes, notes: string[] | null): NpzMember[] {
  const out: NpzMember[] = [];
  for (const m of readZipDirectory(fb)) {
    if (!m.name.endsWith('.npy')) {
      notes?.push(`zip member "${m.name}" is not a .npy array: skipped`);
      continue;
    }
    if (m.encrypted || (m.method !== 0 && m.method !== 8)) {
      notes?.push(`npz member "${m.name}" ${m.encrypted ? 'is encrypted' : `uses compression method ${m.method}`}: skipped`);
      continue;
    }
    if (m.method === 8 && m.uncompressedSize > m.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new InputError(fb.file, `npz member "${m.name}" declares ${m.uncompressedSize} bytes, more than its ${m.compressedSize} compressed bytes can hold`);
    }
    const dataStart = memberDataOffset(fb, m);
    const header = memberHeader(fb, m, dataStart);
    const what = `npz member "${m.name}"`;
    if (m.method === 0) {
      checkNpyFits(header, m.compressedSize - header.headerBytes, fb.file, what);
    } else {
      checkNpyFits(header, m.uncompressedSize - header.headerBytes, fb.file, what);
    }
    out.push({ member: m, name: arrayName(m.name), dataStart, header });
    if (notes) {
      notes.push(m.method === 0 ? `npz member "${arrayName(m.name)}" stored (uncompressed)` : `npz member "${arrayName(m.name)}" compressed (deflate)`);
      if (header.note) notes.push(`npz member "${arrayName(m.name)}": ${header.note}`);
    }
  }
  return out;
}

function entryOf(m: NpzMember): ArrayEntry {
  return npyEntry(m.header, m.name, m.member.method === 0 ? m.dataStart + m.header.headerBytes : null);
}

export function sniffNpz(file: string): ContainerInfo {
  return withFile(file, (fb) => {
    const notes: string[] = [];
    const members = listMembers(fb, notes);
    if (members.length === 0) throw new InputError(file, 'zip archive without readable .npy members (not an npz)');
    // Pairs that are (magnitude, phase) are refused here, before any reading is tried on them.
    for (const m of members) if (m.header.paired) openNpz(file, m.name).source.close();
    return { format: 'npz', arrays: members.map(entryOf), notes };
  });
}

export function openNpz(file: string, name: string): { source: ValueSource; entry: ArrayEntry } {
  const found = withFile(file, (fb) => {
    const m = listMembers(fb, null).find((x) => x.name === name);
    if (!m) throw new InputError(file, `npz has no array "${name}"`);
    if (m.member.method === 0) return { m, bytes: null };
    const what = `npz member "${m.member.name}"`;
    const bytes = inflateExact(file, fb.read(m.dataStart, m.member.compressedSize, what), false, m.member.uncompressedSize, what);
    // zlib.crc32 exists from Node 20.15; earlier Node skips the check (deflate errors are still caught).
    const crc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
    if (crc && crc(bytes) !== m.member.crc32) throw new InputError(file, `${what}: CRC mismatch (corrupt archive)`);
    return { m, bytes };
  });
  const { m, bytes } = found;
  if (bytes === null) {
    const offset = m.dataStart + m.header.headerBytes;
    return { source: npySource(new RawFileSource(file, m.header.dtype, m.header.endian, offset, m.header.count), m.header), entry: entryOf(m) };
  }
  const { source, header } = npyFromBytes(file, bytes, `npz member "${m.member.name}"`);
  return { source, entry: npyEntry(header, m.name, null) };
}
