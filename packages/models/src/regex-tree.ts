// A small parse tree of a JavaScript regex in u mode (which regexHazard needs): sequences, alternatives,
// groups, lookarounds, repetitions and single characters as sets of code points, each node with its
// shortest and longest match and the characters it can consume. The source is known to compile, so the
// parser does not check syntax.

// A character set as ranges of code points, or the complement of such ranges. Sets are kept as lists of
// these (a union), which is all an overlap test needs.
export interface Atom {
  ranges: Array<[number, number]>;
  negated: boolean;
}
export type CharSet = Atom[];

export interface Node {
  kind: 'char' | 'seq' | 'alt' | 'group' | 'look' | 'repeat' | 'assert' | 'backref';
  set?: CharSet;
  items?: Node[];
  body?: Node;
  min?: number;
  max?: number;
  /** For an assertion: true for `^`, the one that anchors a branch. */
  caret?: boolean;
  // Computed: shortest and longest match, every character it can consume, and the first ones.
  minLen: number;
  maxLen: number;
  chars: CharSet;
  first: CharSet;
}

const DIGIT: Array<[number, number]> = [[48, 57]];
const WORD: Array<[number, number]> = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Array<[number, number]> = [
  [9, 13],
  [32, 32],
  [160, 160],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const LINE_ENDS: Array<[number, number]> = [
  [10, 10],
  [13, 13],
  [0x2028, 0x2029],
];
const ANY: CharSet = [{ ranges: [], negated: true }];

function atomsOverlap(a: Atom, b: Atom): boolean {
  if (a.negated && b.negated) return true;
  if (a.negated || b.negated) {
    const [positive, negative] = a.negated ? [b, a] : [a, b];
    // Overlap unless every positive range lies inside the excluded ranges.
    return positive.ranges.some(([lo, hi]) => !negative.ranges.some(([nlo, nhi]) => nlo <= lo && hi <= nhi));
  }
  return a.ranges.some(([lo, hi]) => b.ranges.some(([blo, bhi]) => lo <= bhi && blo <= hi));
}

export function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some((x) => b.some((y) => atomsOverlap(x, y)));
}

/** Adds the other case of ASCII letters (and the two non-ASCII letters that fold onto k and s). */
function folded(ranges: Array<[number, number]>): Array<[number, number]> {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    for (const [from, to, shift] of [
      [65, 90, 32],
      [97, 122, -32],
    ] as const) {
      const a = Math.max(lo, from);
      const b = Math.min(hi, to);
      if (a <= b) out.push([a + shift, b + shift]);
    }
    if (lo <= 0x6b && 0x6b <= hi) out.push([0x212a, 0x212a]);
    if (lo <= 0x73 && 0x73 <= hi) out.push([0x17f, 0x17f]);
  }
  return out;
}

export class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly ignoreCase: boolean,
  ) {}

  peek(): string | undefined {
    return this.src[this.i];
  }

  parseAlternation(): Node {
    const branches = [this.parseSequence()];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.parseSequence());
    }
    return branches.length === 1 ? (branches[0] as Node) : make({ kind: 'alt', items: branches });
  }

  parseSequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      items.push(this.parseQuantified());
    }
    return make({ kind: 'seq', items });
  }

  parseQuantified(): Node {
    const atom = this.parseAtom();
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/u.exec(this.src.slice(this.i));
      if (!m) return atom;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return atom;
    }
    if (this.peek() === '?') this.i++; // lazy: the same ambiguity, tried in another order
    return make({ kind: 'repeat', body: atom, min, max });
  }

  parseAtom(): Node {
    const c = this.src[this.i++] as string;
    switch (c) {
      case '^':
      case '$':
        return make({ kind: 'assert', caret: c === '^' });
      case '.':
        return this.char([{ ranges: LINE_ENDS, negated: true }]);
      case '[':
        return this.char(this.parseClass());
      case '(':
        return this.parseGroup();
      case '\\':
        return this.parseEscape();
      default:
        return this.literal(c.codePointAt(0) as number, c.length);
    }
  }

  literal(code: number, consumed: number): Node {
    // A surrogate pair is one character in u mode.
    if (consumed === 1 && code >= 0xd800 && code <= 0xdbff) {
      const full = this.src.codePointAt(this.i - 1) as number;
      if (full > 0xffff) {
        this.i++;
        code = full;
      }
    }
    return this.char([{ ranges: [[code, code]], negated: false }]);
  }

  char(set: CharSet): Node {
    const cased = this.ignoreCase
      ? set.map((atom) => ({ ranges: folded(atom.ranges), negated: atom.negated }))
      : set;
    return make({ kind: 'char', set: cased });
  }

  parseGroup(): Node {
    let kind: 'group' | 'look' = 'group';
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (/^\?<?[=!]/u.test(this.src.slice(this.i))) {
      kind = 'look';
      this.i += this.src[this.i + 1] === '<' ? 3 : 2;
    } else if (this.src.startsWith('?<', this.i)) this.i = this.src.indexOf('>', this.i) + 1;
    const body = this.parseAlternation();
    this.i++; // ')'
    return make({ kind, body });
  }

  parseEscape(): Node {
    const c = this.src[this.i++] as string;
    const cls = classEscape(c);
    if (cls) return this.char(cls);
    if (c === 'b' || c === 'B') return make({ kind: 'assert' });
    if (c === 'p' || c === 'P') {
      this.i = this.src.indexOf('}', this.i) + 1;
      return this.char(ANY);
    }
    if (/[1-9]/u.test(c) || c === 'k') return make({ kind: 'backref' });
    return this.literal(this.escapedCode(c), 1);
  }

  /** The code point of a character escape whose first character (after `\`) was `c`. */
  escapedCode(c: string): number {
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };
    if (c in simple) return simple[c] as number;
    if (c === 'c') return (this.src.charCodeAt(this.i++) as number) % 32;
    if (c === 'x') {
      this.i += 2;
      return Number.parseInt(this.src.slice(this.i - 2, this.i), 16);
    }
    if (c === 'u') {
      if (this.peek() === '{') {
        const end = this.src.indexOf('}', this.i);
        const code = Number.parseInt(this.src.slice(this.i + 1, end), 16);
        this.i = end + 1;
        return code;
      }
      this.i += 4;
      return Number.parseInt(this.src.slice(this.i - 4, this.i), 16);
    }
    return c.codePointAt(0) as number;
  }

  parseClass(): CharSet {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const ranges: Array<[number, number]> = [];
    let complex = false;
    while (this.peek() !== ']') {
      const lo = this.classMember();
      if (lo === null) {
        complex = true;
        continue;
      }
      if (Array.isArray(lo)) {
        ranges.push(...lo);
        continue;
      }
      if (this.peek() === '-' && this.src[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classMember();
        if (typeof hi === 'number') ranges.push([lo, hi]);
        else complex = true;
      } else {
        ranges.push([lo, lo]);
      }
    }
    this.i++; // ']'
    // A class mixing negated escapes (\D, \S, \W, \P) is approximated as any character: it overlaps all.
    if (complex) return ANY;
    return [{ ranges, negated }];
  }

  /** One member of a class: a code point, the ranges of a class escape, or null for a negated escape. */
  classMember(): number | Array<[number, number]> | null {
    const c = this.src[this.i++] as string;
    if (c !== '\\') {
      const code = this.src.codePointAt(this.i - 1) as number;
      if (code > 0xffff) this.i++;
      return code;
    }
    const e = this.src[this.i++] as string;
    if (e === 'b') return 8;
    if (e === '-') return 45;
    if (e === 'p' || e === 'P') {
      this.i = this.src.indexOf('}', this.i) + 1;
      return null;
    }
    const cls = classEscape(e);
    if (cls) {
      const [atom] = cls as [Atom];
      return atom.negated || cls.length > 1 ? null : atom.ranges;
    }
    return this.escapedCode(e);
  }
}

/** The set of `\d \D \w \W \s \S`, else undefined. */
function classEscape(c: string): CharSet | undefined {
  const table: Record<string, Atom> = {
    d: { ranges: DIGIT, negated: false },
    D: { ranges: DIGIT, negated: true },
    w: { ranges: WORD, negated: false },
    W: { ranges: WORD, negated: true },
    s: { ranges: SPACE, negated: false },
    S: { ranges: SPACE, negated: true },
  };
  if (c in table) return [table[c] as Atom];
  return undefined;
}

/** Fills the computed fields of a node from its children. */
function make(partial: Pick<Node, 'kind'> & Partial<Node>): Node {
  const node = { minLen: 0, maxLen: 0, chars: [], first: [], ...partial } as Node;
  switch (node.kind) {
    case 'char':
      node.minLen = node.maxLen = 1;
      node.chars = node.first = node.set as CharSet;
      break;
    case 'seq': {
      let nullableSoFar = true;
      for (const item of node.items as Node[]) {
        node.minLen += item.minLen;
        node.maxLen += item.maxLen;
        node.chars = node.chars.concat(item.chars);
        if (nullableSoFar) node.first = node.first.concat(item.first);
        nullableSoFar &&= item.minLen === 0;
      }
      break;
    }
    case 'alt': {
      const items = node.items as Node[];
      node.minLen = Math.min(...items.map((b) => b.minLen));
      node.maxLen = Math.max(...items.map((b) => b.maxLen));
      node.chars = items.flatMap((b) => b.chars);
      node.first = items.flatMap((b) => b.first);
      break;
    }
    case 'group': {
      const body = node.body as Node;
      Object.assign(node, { minLen: body.minLen, maxLen: body.maxLen, chars: body.chars, first: body.first });
      break;
    }
    case 'repeat': {
      const body = node.body as Node;
      node.minLen = body.minLen * (node.min as number);
      node.maxLen = body.maxLen === 0 ? 0 : body.maxLen * (node.max as number);
      node.chars = body.chars;
      node.first = body.first;
      break;
    }
    default:
      // look, assert, backref: zero width (a backreference is refused before its width matters).
      break;
  }
  return node;
}
