// IPv4 and IPv6 addresses as eight 16-bit words; IPv4 is held IPv4-mapped (::ffff:a.b.c.d), so that
// node's '::ffff:127.0.0.1' client addresses match an IPv4 CIDR and one comparison serves both families.

/** An address as eight 16-bit words. */
export type IpWords = readonly number[];

/** A parsed CIDR: the network's words and the prefix length in bits (of 128). */
export interface Cidr {
  words: IpWords;
  bits: number;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Parses an IPv4 or IPv6 address (brackets and a zone id allowed); null when it is not one. */
export function parseIp(input: string): IpWords | null {
  let text = input.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.length === 0 || text.length > 45) return null;
  if (!text.includes(':')) {
    const b = parseIpv4(text);
    if (!b) return null;
    return [
      0,
      0,
      0,
      0,
      0,
      0xffff,
      ((b[0] as number) << 8) | (b[1] as number),
      ((b[2] as number) << 8) | (b[3] as number),
    ];
  }
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const b = parseIpv4(text.slice(lastColon + 1));
    if (!b) return null;
    tail = [((b[0] as number) << 8) | (b[1] as number), ((b[2] as number) << 8) | (b[3] as number)];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const word of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(word)) return null;
      out.push(Number.parseInt(word, 16));
    }
    return out;
  };
  const head = group(halves[0] as string);
  const rest = halves.length === 2 ? group(halves[1] as string) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return null;
  const zeros = new Array<number>(8 - given).fill(0);
  return [...head, ...zeros, ...rest, ...tail];
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (a /32 or /128); null when invalid. */
export function parseCidr(input: string): Cidr | null {
  const text = input.trim();
  const slash = text.indexOf('/');
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const words = parseIp(address);
  if (!words) return null;
  const v4 = !address.includes(':');
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(suffix)) return null;
    bits = Number(suffix);
    if (bits > max) return null;
  }
  return { words, bits: v4 ? bits + 96 : bits };
}

/** True when the address lies inside the CIDR. */
export function inCidr(address: IpWords, cidr: Cidr): boolean {
  let bits = cidr.bits;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((address[i] as number) & mask) !== ((cidr.words[i] as number) & mask)) return false;
  }
  return true;
}
