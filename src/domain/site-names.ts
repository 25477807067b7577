/**
 * What `--site` names. A site's name, internalReference and even uuid repeat across controllers
 * (every console has a `default` site, with the same uuid), so a bare name may mean a site on
 * each of several controllers; `CONTROLLER/SITE` names one of them.
 */
export interface NamedSite {
  controllerName: string;
  /** The URL host (the controller's key): accepted for CONTROLLER as well as its name. */
  controllerHost: string;
  name: string | null;
  internalReference: string | null;
  uuid: string;
}

export type SiteChoice<T> =
  /** Sites of one controller (several when a name repeats there, e.g. a site gone and made again). */
  | { kind: 'found'; sites: T[] }
  /** A bare name that matches sites on several controllers: they are listed as CONTROLLER/SITE. */
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none' };

/**
 * The sites `wanted` names: by name, internalReference or uuid (ASCII case-insensitive), or as
 * CONTROLLER/SITE with the controller's name or host. A site whose own name has a `/` in it is
 * found by that name first.
 */
export function chooseSites<T extends NamedSite>(sites: readonly T[], wanted: string): SiteChoice<T> {
  const bare = sites.filter((s) => namedBy(s, wanted));
  if (bare.length > 0) return oneController(bare);
  const qualified = new Set<T>();
  for (let slash = wanted.indexOf('/'); slash >= 0; slash = wanted.indexOf('/', slash + 1)) {
    const controller = fold(wanted.slice(0, slash));
    const site = wanted.slice(slash + 1);
    for (const s of sites) if ((fold(s.controllerName) === controller || fold(s.controllerHost) === controller) && namedBy(s, site)) qualified.add(s);
  }
  return qualified.size > 0 ? oneController([...qualified]) : { kind: 'none' };
}

/** The one line a usage error says for an ambiguous --site. */
export function ambiguousSite(option: string, wanted: string, candidates: readonly string[]): string {
  return `${option} ${wanted} matches sites on several controllers: ${candidates.join(', ')}; name one as CONTROLLER/SITE`;
}

function oneController<T extends NamedSite>(sites: T[]): SiteChoice<T> {
  if (new Set(sites.map((s) => s.controllerHost)).size === 1) return { kind: 'found', sites };
  return { kind: 'ambiguous', candidates: labels(sites) };
}

/** controller/site by name; by uuid where two candidates would read the same. */
function labels(sites: readonly NamedSite[]): string[] {
  const byName = sites.map((s) => `${s.controllerName}/${s.name || s.internalReference || s.uuid}`);
  return [...new Set(byName.map((label, i) => (byName.indexOf(label) === byName.lastIndexOf(label) ? label : `${sites[i]!.controllerName}/${sites[i]!.uuid}`)))].sort();
}

function namedBy(site: NamedSite, wanted: string): boolean {
  const w = fold(wanted);
  return [site.name, site.internalReference, site.uuid].some((n) => n !== null && n !== '' && fold(n) === w);
}

/** As SQLite's lower() and the rest of dnssync fold names (RFC 4343): ASCII letters only. */
function fold(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
