import { type Dtype, type Endian, isComplexDtype } from '../../config/types.js';
import { InputError } from '../../errors.js';
import { componentDtype, decodeComponents, valueBytes } from '../dtype.js';
import type { ValueSource } from '../source.js';

/**
 * Stored bytes held in memory (an inflated npz member or MAT variable), decoded on each read:
 * keeps the compact stored form (half the memory of float64 for float32 data) and shares the
 * typed-array decoding path of RawFileSource.
 */
export class BytesSource implements ValueSource {
  readonly length: number;
  readonly complex: boolean;

  constructor(
    readonly file: string,
    private readonly bytes: Uint8Array,
    private readonly dtype: Dtype,
    private readonly endian: Endian,
    length: number,
  ) {
    if (length * valueBytes(dtype) > bytes.byteLength) {
      throw new InputError(file, `holds ${Math.floor(bytes.byteLength / valueBytes(dtype))} ${dtype} values, ${length} declared`);
    }
    this.length = length;
    this.complex = isComplexDtype(dtype);
  }

  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    if (start < 0 || start + count > this.length) {
      throw new RangeError(`${this.file}: read [${start}, ${start + count}) outside 0..${this.length}`);
    }
    if (count === 0) return;
    const size = valueBytes(this.dtype);
    const bytes = this.bytes.subarray(start * size, (start + count) * size);
    const comp = componentDtype(this.dtype);
    if (this.complex) {
      decodeComponents(bytes, comp, this.endian, count, re, 0, 2, 0);
      if (im) decodeComponents(bytes, comp, this.endian, count, im, 0, 2, 1);
    } else {
      decodeComponents(bytes, comp, this.endian, count, re);
    }
  }

  close(): void {}
}

/** Complex values whose real and imaginary parts are stored as two separate blocks (MAT v5). */
export class SplitComplexSource implements ValueSource {
  readonly length: number;
  readonly complex = true;

  constructor(
    readonly file: string,
    private readonly re: ValueSource,
    private readonly im: ValueSource,
  ) {
    if (re.length !== im.length) {
      throw new InputError(file, `real part holds ${re.length} values, imaginary part ${im.length}`);
    }
    this.length = re.length;
  }

  read(start: number, count: number, re: Float64Array, im?: Float64Array): void {
    this.re.read(start, count, re);
    // The part sources are real and write into their first argument.
    if (im) this.im.read(start, count, im);
  }

  close(): void {
    this.re.close();
    this.im.close();
  }
}
