/**
 * The few pickle opcodes torch.save writes for tensors (protocol 2, and the protocol 4 forms a newer
 * pickler may use), interpreted without ever executing anything: GLOBAL may only name a torch storage
 * class, torch._utils._rebuild_tensor_v2 or collections.OrderedDict, and REDUCE only calls those two
 * (as data constructors, below). Every other opcode or callable is refused with one line.
 */
import { InputError } from '../../errors.js';

/** A pickled global reference (module.name), kept as data. */
export interface PickleGlobal {
  kind: 'global';
  module: string;
  name: string;
}

/** The argument of persistent_load: torch's ('storage', StorageClass, key, location, numel). */
export interface PicklePersistent {
  kind: 'persistent';
  value: PickleValue;
}

/** What _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks) describes. */
export interface PickleTensor {
  kind: 'tensor';
  storage: PicklePersistent;
  storageOffset: number;
  size: number[];
  stride: number[];
}

export interface PickleDict {
  kind: 'dict';
  entries: [PickleValue, PickleValue][];
}

export type PickleValue = null | boolean | number | string | PickleValue[] | PickleGlobal | PicklePersistent | PickleTensor | PickleDict;

/** Bytes of pickle we agree to interpret (a tensor's pickle is ~200 bytes; a dict of many, a few KB). */
export const MAX_PICKLE_BYTES = 1 << 20;
const MAX_MEMO = 1 << 16;

const ALLOWED_GLOBALS = new Set(['torch._utils._rebuild_tensor_v2', 'collections.OrderedDict']);
const STORAGE_CLASS = /^[A-Za-z0-9]+Storage$/;

function allowedGlobal(module: string, name: string): boolean {
  return ALLOWED_GLOBALS.has(`${module}.${name}`) || (module === 'torch' && STORAGE_CLASS.test(name));
}

const MARK = Symbol('mark');
type Slot = PickleValue | typeof MARK;

function isGlobal(v: Slot, module: string, name: string): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'global' && v.module === module && v.name === name;
}

function describe(v: Slot): string {
  if (v === MARK) return 'a mark';
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a tuple';
  if (typeof v === 'object') return v.kind === 'global' ? `${v.module}.${v.name}` : `a ${v.kind}`;
  return typeof v;
}

function intTuple(v: PickleValue, what: string, fail: (m: string) => never): number[] {
  if (!Array.isArray(v)) fail(`${what} is ${describe(v)}, not a tuple`);
  return v.map((x) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) fail(`${what} holds ${String(x)}, not a size`);
    return x;
  });
}

/** _rebuild_tensor_v2's arguments as data (checked: a persistent storage, integer offset, size and stride). */
function rebuildTensor(args: PickleValue, fail: (m: string) => never): PickleTensor {
  if (!Array.isArray(args) || args.length < 4) fail('_rebuild_tensor_v2 called without (storage, offset, size, stride)');
  const [storage, offset, size, stride] = args;
  if (typeof storage !== 'object' || storage === null || Array.isArray(storage) || storage.kind !== 'persistent') {
    fail(`_rebuild_tensor_v2 storage is ${describe(storage)}, not a persistent storage`);
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) fail(`tensor storage offset ${String(offset)} is not a count`);
  const s = intTuple(size, 'tensor size', fail);
  const t = intTuple(stride, 'tensor stride', fail);
  if (s.length !== t.length) fail(`tensor size has ${s.length} dims, stride ${t.length}`);
  return { kind: 'tensor', storage, storageOffset: offset, size: s, stride: t };
}

/** Interpret a torch data.pkl into the object it describes (a tensor, a dict or list of them). */
export function readPickle(file: string, bytes: Uint8Array): PickleValue {
  const fail: (m: string) => never = (m) => {
    throw new InputError(file, `torch pickle: ${m}`);
  };
  if (bytes.length > MAX_PICKLE_BYTES) fail(`${bytes.length} bytes, over the ${MAX_PICKLE_BYTES}-byte limit`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PickleValue>();
  let p = 0;
  const need = (n: number): number => {
    if (p + n > bytes.length) fail(`truncated at byte ${p} (needs ${n} more)`);
    const at = p;
    p += n;
    return at;
  };
  const text = (n: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + need(n), n).toString('utf8');
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0 || end - p > 256) fail(`unterminated GLOBAL name at byte ${p}`);
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + p, end - p).toString('latin1');
    p = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail(`stack underflow at byte ${p}`);
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail(`no MARK before byte ${p}`);
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail(`stack underflow at byte ${p}`);
    return v as PickleValue;
  };
  const put = (k: number): void => {
    if (memo.size >= MAX_MEMO) fail('too many memo entries');
    memo.set(k, top());
  };
  const get = (k: number): void => {
    if (!memo.has(k)) fail(`memo key ${k} read before it was written`);
    stack.push(memo.get(k) as PickleValue);
  };
  const global = (module: string, name: string): void => {
    if (!allowedGlobal(module, name)) fail(`refers to ${module}.${name}, which is not a tensor rebuild or storage class: refused (pickles are never executed)`);
    stack.push({ kind: 'global', module, name });
  };
  const setItems = (dict: PickleValue, items: PickleValue[]): void => {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict.kind !== 'dict') fail(`SETITEMS on ${describe(dict)}`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.entries.push([items[i], items[i + 1]]);
  };
  const append = (list: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(list)) fail(`APPENDS on ${describe(list)}`);
    list.push(...items);
  };
  for (;;) {
    const op = bytes[need(1)];
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)] > 5) fail(`pickle protocol ${bytes[p - 1]} is unknown`);
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return pop();
      case 0x63: // GLOBAL
        global(line(), line());
        break;
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL without two strings');
        global(module as string, name as string);
        break;
      }
      case 0x71: // BINPUT
        put(bytes[need(1)]);
        break;
      case 0x72: // LONG_BINPUT
        put(dv.getUint32(need(4), true));
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(bytes[need(1)]);
        break;
      case 0x6a: // LONG_BINGET
        get(dv.getUint32(need(4), true));
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x58: // BINUNICODE
        stack.push(text(dv.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(bytes[need(1)]));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(dv.getUint16(need(2), true));
        break;
      case 0x4a: // BININT
        stack.push(dv.getInt32(need(4), true));
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement, used for ints past 2^31 (large storages).
        const n = bytes[need(1)];
        if (n > 7) fail(`integer of ${n} bytes is too large`);
        const at = need(n);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[at + i];
        if (n > 0 && bytes[at + n - 1] & 0x80) v -= 2 ** (8 * n);
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(dv.getFloat64(need(8), false));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', entries: [] });
        break;
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x51: // BINPERSID
        stack.push({ kind: 'persistent', value: pop() });
        break;
      case 0x52: {
        // REDUCE: only the two allowed constructors, interpreted as data.
        const args = pop();
        const callable = pop();
        if (isGlobal(callable, 'torch._utils', '_rebuild_tensor_v2')) stack.push(rebuildTensor(args, fail));
        else if (isGlobal(callable, 'collections', 'OrderedDict')) {
          if (!Array.isArray(args) || args.length !== 0) fail('OrderedDict called with arguments');
          stack.push({ kind: 'dict', entries: [] });
        } else fail(`REDUCE calls ${describe(callable)}: refused (only tensor rebuilds are read)`);
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1} is not one a saved tensor uses: refused`);
    }
  }
}
