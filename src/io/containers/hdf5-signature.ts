/** HDF5 recognised by its signature, without loading the HDF5 library (containers/hdf5.ts). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Where a superblock may start: 0, or after a user block (MATLAB's is 512 bytes). */
const SUPERBLOCK_OFFSETS = [0, 512, 1024, 2048, 4096];

/** Bytes of a file's start that hold every superblock position tested. */
export const HDF5_PREFIX_BYTES = 4096 + 8;

export function isHdf5(prefix: Uint8Array): boolean {
  return SUPERBLOCK_OFFSETS.some((o) => prefix.length >= o + 8 && SIGNATURE.every((v, i) => prefix[o + i] === v));
}

/** MATLAB v7.3 writes "MATLAB 7.3 MAT-file" in its 512-byte user block. */
export function isMatlabHdf5(prefix: Uint8Array): boolean {
  return Buffer.from(prefix.buffer, prefix.byteOffset, Math.min(prefix.length, 116)).toString('latin1').startsWith('MATLAB 7.3');
}
