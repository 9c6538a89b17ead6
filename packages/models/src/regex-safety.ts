// A static check of routing regexes for catastrophic backtracking (ReDoS). V8's backtracking engine takes
// exponential time on ambiguous nested repetition and polynomial time on chains of overlapping quantifiers;
// its linear-time engine needs a process-wide flag and supports neither `i` nor `u`, which every routing
// regex carries, and a native RE2 would break the router's no-native-packages rule. So a pattern is parsed
// here (u-mode syntax, known valid because it compiled) into a small tree, and refused when:
//   - it has a backreference (matching with one is NP-hard);
//   - a repetition repeats a body that can match one string in several ways: an unbounded quantifier
//     inside (star height 2: `(a+)+`), a variable-length body (`(a|aa)+`, `(a?){20}`) or alternatives that
//     can match the same text (`(\w|\d)+`), unless the body begins or ends with a character its variable
//     parts cannot match (`([a-z]+\.)+` is safe: every iteration ends at a dot);
//   - the estimated work of a chain of variable-length items over overlapping characters (`.*a.*a`,
//     `a?a?a?...`), times the start positions an unanchored search tries, exceeds REGEX_WORK_LIMIT for an
//     input of REGEX_INPUT_LIMIT characters.
// The estimate over-approximates: some safe patterns are refused (the message says why and how to rewrite).

import { type CharSet, type Node, overlaps, Parser } from './regex-tree.js';

/** Longest text a regex condition is matched against; the router cuts longer values to this. */
export const REGEX_INPUT_LIMIT = 1024;

/** Estimated backtracking steps a pattern may cost on an input of REGEX_INPUT_LIMIT characters. */
export const REGEX_WORK_LIMIT = REGEX_INPUT_LIMIT * REGEX_INPUT_LIMIT;

const unbounded = (node: Node) => node.maxLen === Infinity;
const variable = (node: Node) => node.minLen !== node.maxLen;
/** True when an item can make the match fail: it consumes something, or it asserts something. */
const canFail = (node: Node) =>
  node.minLen > 0 || node.kind === 'assert' || node.kind === 'look' || node.kind === 'backref';

function* descendants(node: Node): Generator<Node> {
  yield node;
  for (const child of node.items ?? []) yield* descendants(child);
  if (node.body) yield* descendants(node.body);
}

/** The items of a node as a sequence, through any plain groups around it. */
function sequenceOf(node: Node): Node[] {
  let body = node;
  while (body.kind === 'group') body = body.body as Node;
  return body.kind === 'seq' ? (body.items as Node[]) : [body];
}

/**
 * True when the body starts or ends with a one-character item that none of its variable-length items can
 * match: each iteration then begins (or ends) at such a character, so iterations cannot be split two ways.
 */
function separated(body: Node): boolean {
  const items = sequenceOf(body).filter((item) => item.kind !== 'assert');
  const variables = items.filter(variable);
  return [items[0], items.at(-1)].some((edge) => {
    const single = edge && sequenceOf(edge);
    return (
      single?.length === 1 &&
      single[0]?.kind === 'char' &&
      !variables.some((item) => overlaps(item.chars, (single[0] as Node).chars))
    );
  });
}

/** True when two alternatives of a body can match the same text (position by position where known). */
function ambiguousAlternatives(body: Node): boolean {
  let inner = body;
  while (inner.kind === 'group') inner = inner.body as Node;
  if (inner.kind !== 'alt') return false;
  const branches = inner.items as Node[];
  const positions = (branch: Node) => {
    const items = sequenceOf(branch);
    return items.every((item) => item.kind === 'char') ? items.map((item) => item.chars) : undefined;
  };
  for (let a = 0; a < branches.length; a++) {
    for (let b = a + 1; b < branches.length; b++) {
      const [x, y] = [branches[a] as Node, branches[b] as Node];
      const [px, py] = [positions(x), positions(y)];
      const same =
        px && py
          ? px.length === py.length && px.every((set, k) => overlaps(set, py[k] as CharSet))
          : overlaps(x.first, y.first) || x.minLen === 0 || y.minLen === 0;
      if (same) return true;
    }
  }
  return false;
}

/** The first construct whose backtracking grows exponentially, as a reason, or undefined. */
function exponentialHazard(root: Node): string | undefined {
  for (const node of descendants(root)) {
    if (node.kind === 'backref') return 'backreferences are not allowed';
    if (node.kind !== 'repeat' || (node.max as number) <= 1) continue;
    const body = node.body as Node;
    if (separated(body)) continue;
    if ([...descendants(body)].some((inner) => inner.kind === 'repeat' && unbounded(inner))) {
      return 'a repeated group contains an unbounded quantifier (nested quantifiers, as in (a+)+)';
    }
    if (variable(body)) {
      const ways = (body.maxLen - body.minLen + 1) ** Math.min(node.max as number, 64);
      if (node.max === Infinity || ways > 10_000) {
        return 'a repeated group matches text of varying length (as in (a|aa)+ or (a?){20})';
      }
    } else if (ambiguousAlternatives(body)) {
      return 'a repeated group has alternatives that match the same text (as in (\\w|\\d)+)';
    }
  }
  return undefined;
}

/** How many places a variable-length item can end at, at most: its range, capped at the input. */
function factor(item: Node): number {
  return Math.min(item.maxLen - item.minLen + 1, REGEX_INPUT_LIMIT);
}

/** A sequence's items with plain groups and nested sequences spliced in (they change no matching). */
function flatten(items: readonly Node[]): Node[] {
  return items.flatMap((item) => {
    if (item.kind === 'seq') return flatten(item.items as Node[]);
    if (item.kind === 'group') return flatten([item.body as Node]);
    return [item];
  });
}

/**
 * The most backtracking a sequence can cause. Variable-length items over overlapping characters form a
 * chain (an item between them that is nullable, or overlaps them, keeps it going): each end one of them
 * may choose is tried against every end of the next, so their factors multiply, and whatever work an item
 * does inside (an alternative's own chain) is done again for every choice of the chain before it. An item
 * after which nothing can fail (`tailFree`: the end of the pattern, or of a lookaround, which JS runs
 * atomically) is never retried, so its own choices add nothing.
 */
function chainWork(sequence: readonly Node[], tailFree: boolean): number {
  const items = flatten(sequence);
  let worst = 1;
  let open: Array<{ chars: CharSet; work: number }> = [];
  items.forEach((item, k) => {
    const failsAfter = !tailFree || items.slice(k + 1).some(canFail);
    const joined = open.filter((chain) => overlaps(chain.chars, item.chars));
    const before = Math.max(1, ...joined.map((chain) => chain.work));
    const inner = innerWork(item, !failsAfter);
    worst = Math.max(worst, before * inner);
    if (variable(item) && failsAfter) {
      const work = before * Math.max(factor(item), inner);
      worst = Math.max(worst, work);
      open = [...(item.minLen > 0 ? joined : open), { chars: item.chars, work }];
    } else if (item.minLen > 0) {
      open = joined;
    }
  });
  return worst;
}

/** The worst chain inside an item: its groups, alternatives, and repeat and lookaround bodies. */
function innerWork(item: Node, tailFree: boolean): number {
  switch (item.kind) {
    case 'seq':
      return chainWork(item.items as Node[], tailFree);
    case 'alt':
      return Math.max(...(item.items as Node[]).map((branch) => innerWork(branch, tailFree)));
    case 'group':
      return innerWork(item.body as Node, tailFree);
    case 'look':
      return chainWork([item.body as Node], true);
    case 'repeat':
      // The next iteration follows the body: its end is never free.
      return innerWork(item.body as Node, false);
    default:
      return 1;
  }
}

/** The estimated work of the pattern: each top-level alternative, times the start positions unless anchored. */
function patternWork(root: Node): number {
  const branches = root.kind === 'alt' ? (root.items as Node[]) : [root];
  return Math.max(
    ...branches.map((branch) => {
      const anchored = flatten([branch])[0]?.caret === true;
      return chainWork([branch], true) * (anchored ? 1 : REGEX_INPUT_LIMIT);
    }),
  );
}

/**
 * Why a regex (one that compiles in u mode) could backtrack catastrophically, or undefined when it is safe
 * to run on inputs of up to {@link REGEX_INPUT_LIMIT} characters. Over-approximates: a pattern it refuses
 * may be safe, and the reason says what to change.
 * @example regexHazard('^(a+)+$') // 'a repeated group contains an unbounded quantifier ...'
 */
export function regexHazard(source: string, caseSensitive = false): string | undefined {
  const root = new Parser(source, !caseSensitive).parseAlternation();
  const exponential = exponentialHazard(root);
  if (exponential) return exponential;
  if (patternWork(root) > REGEX_WORK_LIMIT) {
    return 'quantifiers over overlapping characters follow one another (as in .*a.*b or \\d+\\d+): anchor it with ^, or separate them with characters they cannot match';
  }
  return undefined;
}
