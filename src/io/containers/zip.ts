/**
 * The zip central directory of an npz (zip64 aware), every offset checked against the file size;
 * deflate itself is node:zlib's (fileio.ts). Hand-written on purpose: it reads only the directory and
 * the .npy headers, so a stored member is read from disk where it lies. On a 205 MB stored npz, sniff
 * + open took 17–36 ms at 49–51 MB RSS here, against 1.4–1.9 s and 439 MB for fflate 0.8.3's
 * unzipSync (which needs the whole archive in memory); on a 7.4 MB deflated npz 138–206 ms against
 * 228–377 ms. yauzl reads lazily too but only asynchronously, and the container readers are synchronous.
 */
import { InputError } from '../../errors.js';
import { dataView, type FileBytes } from './fileio.js';

/** One member of a zip archive, as its central directory describes it. */
export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflate; anything else is reported, not read. */
  method: number;
  encrypted: boolean;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** A central directory over this is not an npz we want to read (it would hold ~1M members). */
const MAX_CENTRAL_DIR_BYTES = 64 << 20;

function u64(dv: DataView, off: number, file: string): number {
  const lo = dv.getUint32(off, true);
  const hi = dv.getUint32(off + 4, true);
  if (hi >= 1 << 21) throw new InputError(file, 'zip64 field beyond 2^53');
  return hi * 2 ** 32 + lo;
}

/** Locate and parse the central directory (zip64 aware). Every offset is checked against the file size. */
export function readZipDirectory(fb: FileBytes): ZipMember[] {
  const file = fb.file;
  const tailLen = Math.min(fb.size, 22 + 0xffff);
  const tailStart = fb.size - tailLen;
  const tail = fb.read(tailStart, tailLen, 'zip end record');
  const tdv = dataView(tail);
  let eocd = -1;
  for (let p = tailLen - 22; p >= 0; p--) {
    if (tdv.getUint32(p, true) === EOCD_SIG && p + 22 + tdv.getUint16(p + 20, true) <= tailLen) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new InputError(file, 'zip archive without an end-of-central-directory record (truncated or corrupt)');
  let entries = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  let cdLimit = tailStart + eocd;
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tdv.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw new InputError(file, 'zip64 archive without its locator');
    const z64Offset = u64(tdv, loc + 8, file);
    const z = dataView(fb.read(z64Offset, 56, 'zip64 end record'));
    if (z.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new InputError(file, 'corrupt zip64 end record');
    entries = u64(z, 32, file);
    cdSize = u64(z, 40, file);
    cdOffset = u64(z, 48, file);
    cdLimit = z64Offset;
  }
  if (cdOffset + cdSize > cdLimit || cdSize > MAX_CENTRAL_DIR_BYTES || entries * 46 > cdSize) {
    throw new InputError(file, `corrupt zip central directory (${entries} entries, ${cdSize} bytes at ${cdOffset})`);
  }
  const cd = fb.read(cdOffset, cdSize, 'zip central directory');
  const dv = dataView(cd);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > cdSize || dv.getUint32(p, true) !== CENTRAL_SIG) throw new InputError(file, `corrupt zip central directory entry ${i}`);
    const flags = dv.getUint16(p + 8, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cdSize) throw new InputError(file, `corrupt zip central directory entry ${i}`);
    const name = Buffer.from(cd.buffer, cd.byteOffset + p + 46, nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    let uncompressedSize = dv.getUint32(p + 24, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    // zip64 extended information: present fields follow in this order, only for saturated values.
    for (let q = p + 46 + nameLen; q + 4 <= p + 46 + nameLen + extraLen;) {
      const id = dv.getUint16(q, true);
      const len = dv.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        const rEnd = Math.min(q + 4 + len, p + 46 + nameLen + extraLen);
        if (uncompressedSize === 0xffffffff && r + 8 <= rEnd) {
          uncompressedSize = u64(dv, r, file);
          r += 8;
        }
        if (compressedSize === 0xffffffff && r + 8 <= rEnd) {
          compressedSize = u64(dv, r, file);
          r += 8;
        }
        if (localHeaderOffset === 0xffffffff && r + 8 <= rEnd) localHeaderOffset = u64(dv, r, file);
      }
      q += 4 + len;
    }
    members.push({
      name,
      method: dv.getUint16(p + 10, true),
      encrypted: (flags & 1) !== 0,
      crc32: dv.getUint32(p + 16, true),
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
    });
    p = end;
  }
  return members;
}

/** Offset of a member's data (after its local header), checked to lie inside the file. */
export function memberDataOffset(fb: FileBytes, m: ZipMember): number {
  const h = dataView(fb.read(m.localHeaderOffset, 30, `zip local header of "${m.name}"`));
  if (h.getUint32(0, true) !== LOCAL_SIG) throw new InputError(fb.file, `corrupt zip local header of "${m.name}"`);
  const start = m.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  if (start + m.compressedSize > fb.size) {
    throw new InputError(fb.file, `zip member "${m.name}" runs past the end of the file (truncated?)`);
  }
  return start;
}
