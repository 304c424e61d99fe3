/**
 * Virtual host selection by `:authority` (Host), in Envoy's order: exact domain, then suffix
 * wildcards (`*.example.com`, `*-bar.com`; longest suffix wins; the wildcard never matches an empty
 * string), then prefix wildcards (`foo.*`; longest wins), then `*`. Hosts compare case-insensitively.
 * If the Host carries a port and no domain matches it with the port, it is matched without the port.
 * Results are cached per raw Host value in a bounded cache (Host is client input).
 *
 * Example: domains `['api.example.com']`, `['*.example.com']`, `['*']` — Host `API.example.com:8080`
 * selects the first, `www.example.com` the second, `example.com` the third.
 */
import { BoundedCache } from './bounded-cache.js';

const HOST_CACHE_SIZE = 4096;

interface Wildcard<T> {
  /** lowercase, without the `*` */
  affix: string;
  value: T;
}

export class VirtualHostSelector<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffixes: Wildcard<T>[] = [];
  private readonly prefixes: Wildcard<T>[] = [];
  private wildcard: T | null = null;
  private readonly cache = new BoundedCache<string, T | null>(HOST_CACHE_SIZE);

  /**
   * Adds the domains of one virtual host. Returns the domains that were already claimed by an earlier
   * virtual host (the earlier one keeps them).
   */
  add(domains: readonly string[], value: T): string[] {
    const duplicates: string[] = [];
    for (const raw of domains) {
      const d = raw.toLowerCase();
      if (d === '*') {
        if (this.wildcard !== null) duplicates.push(raw);
        else this.wildcard = value;
      } else if (d.startsWith('*')) {
        const affix = d.slice(1);
        if (this.suffixes.some((w) => w.affix === affix)) duplicates.push(raw);
        else this.suffixes.push({ affix, value });
      } else if (d.endsWith('*')) {
        const affix = d.slice(0, -1);
        if (this.prefixes.some((w) => w.affix === affix)) duplicates.push(raw);
        else this.prefixes.push({ affix, value });
      } else if (this.exact.has(d)) {
        duplicates.push(raw);
      } else {
        this.exact.set(d, value);
      }
    }
    // Longest affix first; Array.prototype.sort is stable, so config order breaks ties.
    this.suffixes.sort((a, b) => b.affix.length - a.affix.length);
    this.prefixes.sort((a, b) => b.affix.length - a.affix.length);
    return duplicates;
  }

  select(host: string): T | null {
    const hit = this.cache.get(host);
    if (hit !== undefined) return hit;
    const found = this.lookup(host);
    this.cache.set(host, found);
    return found;
  }

  /** Uncached lookup. */
  lookup(rawHost: string): T | null {
    const host = rawHost.toLowerCase();
    const withPort = this.lookupNamed(host);
    if (withPort !== null) return withPort;
    const portAt = portSeparator(host);
    if (portAt !== -1) {
      const stripped = this.lookupNamed(host.slice(0, portAt));
      if (stripped !== null) return stripped;
    }
    return this.wildcard;
  }

  private lookupNamed(host: string): T | null {
    const e = this.exact.get(host);
    if (e !== undefined) return e;
    for (const w of this.suffixes) {
      if (host.length > w.affix.length && host.endsWith(w.affix)) return w.value;
    }
    for (const w of this.prefixes) {
      if (host.length > w.affix.length && host.startsWith(w.affix)) return w.value;
    }
    return null;
  }
}

/** Index of the `:` before a port, or -1 (IPv6 literals are bracketed: `[::1]:8080`). */
export function portSeparator(host: string): number {
  const colon = host.lastIndexOf(':');
  if (colon === -1) return -1;
  if (host.charCodeAt(0) === 91 /* [ */) return host.charCodeAt(colon - 1) === 93 /* ] */ ? colon : -1;
  // An unbracketed host with more than one colon is a bare IPv6 address, not host:port.
  return host.indexOf(':') === colon ? colon : -1;
}
