/**
 * Writes each package's `src/index.test-d.ts`: the type half of its locked export surface (the value half
 * is the `Object.keys` snapshot in `src/index.test.ts`). For every exported type it asserts the member names
 * (or the literal union, or the discriminants), for every exported function its parameters and result, so
 * that a public type changes only on purpose: change it, run `pnpm api:types`, and review the diff.
 *
 *   pnpm api:types            every package and app
 *   pnpm api:types router     only packages/router
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const only = new Set(process.argv.slice(2));

interface Pkg {
  dir: string;
  name: string;
  index: string;
  deps: string[];
}

const pkgs: Pkg[] = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, group, e.name, 'src/index.ts')))
    .map((e) => {
      const dir = join(root, group, e.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return {
        dir,
        name: manifest.name as string,
        index: join(dir, 'src/index.ts'),
        deps: Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) =>
          d.startsWith('@myagent/'),
        ),
      };
    }),
);

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.test.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
if (!config) throw new Error('tsconfig.test.json did not parse');
const options = config.options;

/** Exported names of every package, value or type, to import the names a printed type mentions. */
function exportsOf(program: ts.Program, file: string): Map<string, ts.Symbol> {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const out = new Map<string, ts.Symbol>();
  if (!moduleSymbol) return out;
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) out.set(symbol.name, symbol);
  return out;
}

const FLAGS =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope |
  ts.TypeFormatFlags.WriteArrayAsGenericType;

function isTypeOnlyExport(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.isTypeOnlyExportDeclaration(d as never));
}

function generate(pkg: Pkg): string {
  const program = ts.createProgram([pkg.index], options);
  const checker = program.getTypeChecker();
  const own = exportsOf(program, pkg.index);
  const depExports = new Map<string, string>();
  for (const dep of pkg.deps) {
    const target = pkgs.find((p) => p.name === dep);
    if (!target) continue;
    const depProgram = program.getSourceFile(target.index)
      ? program
      : ts.createProgram([target.index], options);
    for (const name of exportsOf(depProgram, target.index).keys())
      if (!own.has(name) && !depExports.has(name)) depExports.set(name, dep);
  }

  const lines: string[] = [];
  let usesKnownKeys = false;
  let usesEmitter = false;
  const valueImports = new Set<string>();
  const typeImports = new Set<string>();
  const foreign = new Map<string, Set<string>>();
  const mention = (text: string) => {
    for (const [word] of text.matchAll(/\b[A-Z][A-Za-z0-9_]*\b/g)) {
      if (own.has(word)) typeImports.add(word);
      else {
        const dep = depExports.get(word);
        if (dep) {
          const set = foreign.get(dep) ?? new Set();
          set.add(word);
          foreign.set(dep, set);
        }
      }
    }
    return text;
  };
  const printType = (type: ts.Type, expand = false) =>
    mention(checker.typeToString(type, undefined, expand ? FLAGS | ts.TypeFormatFlags.InTypeAlias : FLAGS));
  // Well-known symbol members (`[Symbol.asyncDispose]`) are named `__@asyncDispose@123` by the checker.
  // An EventEmitter subclass is locked at its own members: `Exclude<keyof X, keyof EventEmitter>`.
  const fromNode = (p: ts.Symbol) =>
    (p.declarations ?? []).some((d) => d.getSourceFile().fileName.includes('/@types/node/'));
  const extendsEmitter = (type: ts.Type) =>
    checker.getPropertiesOfType(type).some((p) => p.name === 'emit' && fromNode(p));
  const keys = (type: ts.Type, inherited = false) =>
    checker
      .getPropertiesOfType(type)
      .filter((p) => {
        const decl = p.valueDeclaration ?? p.declarations?.[0];
        const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected;
        return !p.name.startsWith('#') && (!decl || (ts.getCombinedModifierFlags(decl) & hidden) === 0);
      })
      .filter((p) => !inherited || !fromNode(p))
      .map((p) => p.name)
      .sort()
      .map((n) => (n.startsWith('__@') ? `typeof Symbol.${n.split('@')[1]}` : `'${n}'`));

  for (const [name, exported] of [...own].sort(([a], [b]) => a.localeCompare(b))) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const isValue = (symbol.flags & ts.SymbolFlags.Value) !== 0 && !isTypeOnlyExport(exported);
    const isType = (symbol.flags & ts.SymbolFlags.Type) !== 0;
    const block: string[] = [];

    if (isValue && symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) {
      const type = checker.getTypeOfSymbol(symbol);
      const calls = type.getCallSignatures();
      if (calls.length === 1 && !(calls[0] as ts.Signature).typeParameters) {
        const signature = calls[0] as ts.Signature;
        const params = signature.parameters.map((p) => {
          const decl = p.valueDeclaration as ts.ParameterDeclaration | undefined;
          const optional = decl && (decl.questionToken || decl.initializer) ? '?' : '';
          const rest = decl?.dotDotDotToken ? '...' : '';
          const pType = checker.getTypeOfSymbol(p);
          const shown = optional ? checker.getNonNullableType(pType) : pType;
          return `${rest}${p.name}${optional}: ${printType(shown)}`;
        });
        valueImports.add(name);
        block.push(`  expectTypeOf(${name}).parameters.toEqualTypeOf<[${params.join(', ')}]>();`);
        // A result too long to read in a review (an inferred `hc<App>` client) is locked at its member names.
        const result = signature.getReturnType();
        const printed = printType(result);
        if (printed.length <= 600) block.push(`  expectTypeOf(${name}).returns.toEqualTypeOf<${printed}>();`);
        else
          block.push(
            `  expectTypeOf<keyof ReturnType<typeof ${name}>>().toEqualTypeOf<${keys(result).join(' | ')}>();`,
          );
      }
    }
    if (
      isType &&
      symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)
    ) {
      const decl = symbol.declarations?.find(
        (d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d),
      ) as ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.ClassDeclaration | undefined;
      // A generic without defaults is locked at its constraints (`Candidates<RouteCandidate>`).
      const required = decl?.typeParameters?.filter((p) => !p.default) ?? [];
      const args =
        required.length > 0
          ? `<${decl?.typeParameters?.map((p) => mention(p.constraint?.getText() ?? 'unknown')).join(', ')}>`
          : '';
      const ref = `${name}${args}`;
      // The declared type of a generic still names its parameters: print them as their constraints.
      const bind = (text: string) =>
        required.reduce(
          (out, p) =>
            out.replace(new RegExp(`\\b${p.name.text}\\b`, 'g'), p.constraint?.getText() ?? 'unknown'),
          text,
        );
      {
        typeImports.add(name);
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        const print = (t: ts.Type, expand = false) => bind(printType(t, expand));
        if (
          type.isUnion() &&
          type.types.every((t) => t.isLiteral() || t.flags & ts.TypeFlags.BooleanLiteral)
        ) {
          block.push(`  expectTypeOf<${ref}>().toEqualTypeOf<${print(type, true)}>();`);
        } else if (type.isUnion() && type.types.every((t) => t.flags & ts.TypeFlags.Object)) {
          const common = checker
            .getPropertiesOfType(type.types[0] as ts.Type)
            .map((p) => p.name)
            .find((prop) =>
              type.types.every((t) => {
                const p = t.getProperty(prop);
                const pt = p && checker.getTypeOfSymbol(p);
                return pt && (pt.isLiteral() || (pt.isUnion() && pt.types.every((u) => u.isLiteral())));
              }),
            );
          const discriminants = (union: ts.UnionType, prop: string) =>
            [
              ...new Set(
                union.types.flatMap((t) => {
                  const pt = checker.getTypeOfSymbol(t.getProperty(prop) as ts.Symbol);
                  return (pt.isUnion() ? pt.types : [pt]).map((u) => print(u));
                }),
              ),
            ].join(' | ');
          if (common)
            block.push(
              `  expectTypeOf<${ref}['${common}']>().toEqualTypeOf<${discriminants(type, common)}>();`,
            );
          else block.push(`  expectTypeOf<${ref}>().toEqualTypeOf<${print(type, true)}>();`);
        } else if (checker.isArrayType(type) || checker.isTupleType(type)) {
          block.push(`  expectTypeOf<${ref}>().toEqualTypeOf<${print(type, true)}>();`);
        } else if (
          type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection) &&
          type.getCallSignatures().length === 0
        ) {
          const ks = keys(type);
          const indexes = checker.getIndexInfosOfType(type);
          if (indexes.length > 0 && ks.length > 0) {
            usesKnownKeys = true;
            block.push(`  expectTypeOf<KnownKeys<${ref}>>().toEqualTypeOf<${ks.join(' | ')}>();`);
            for (const info of indexes)
              block.push(
                `  expectTypeOf<${ref}[${print(info.keyType)}]>().toEqualTypeOf<${print(info.type)}>();`,
              );
          } else if (indexes.length > 0 || ks.length === 0)
            block.push(`  expectTypeOf<${ref}>().toEqualTypeOf<${print(type, true)}>();`);
          else if (extendsEmitter(type)) {
            usesEmitter = true;
            block.push(
              `  expectTypeOf<Exclude<keyof ${ref}, keyof EventEmitter>>().toEqualTypeOf<${keys(type, true).join(' | ')}>();`,
            );
          } else block.push(`  expectTypeOf<keyof ${ref}>().toEqualTypeOf<${ks.join(' | ')}>();`);
        } else {
          block.push(`  expectTypeOf<${ref}>().toEqualTypeOf<${print(type, true)}>();`);
        }
      }
    }
    if (block.length > 0) lines.push(`it('${name}', () => {`, ...block, '});', '');
  }

  const header = [
    '// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them',
    `// The type half of ${pkg.name}'s locked surface. Written by \`pnpm api:types\` (scripts/type-surface);`,
    '// a change here is a change of the public types: review it, and add a changeset.',
  ];
  if (usesEmitter) header.push("import type { EventEmitter } from 'node:events';");
  header.push("import { expectTypeOf, it } from 'vitest';");
  for (const [dep, names] of [...foreign].sort())
    header.push(`import type { ${[...names].sort().join(', ')} } from '${dep}';`);
  const values = [...valueImports].sort();
  const types = [...typeImports].filter((t) => !valueImports.has(t)).sort();
  header.push(
    `import { ${[...values, ...types.map((t) => `type ${t}`)].join(', ')} } from './index.js';`,
    '',
  );
  if (usesKnownKeys)
    header.push(
      '/** The named members of a type with an index signature. */',
      'type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 };',
      '',
    );
  return [...header, ...lines].join('\n');
}

/** Removes the `it` blocks whose lines tsc rejects (a printed type that does not round-trip), then writes. */
function prune(file: string, text: string): string {
  for (let round = 0; round < 5; round++) {
    writeFileSync(file, text);
    const program = ts.createProgram([file], options);
    const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
    if (diags.length === 0) return text;
    const bad = new Set(
      diags.map((d) => (d.file as ts.SourceFile).getLineAndCharacterOfPosition(d.start ?? 0).line),
    );
    const lines = text.split('\n');
    const kept = lines
      .filter((_, i) => !bad.has(i))
      .join('\n')
      .replace(/it\('[^']+', \(\) => \{\n\}\);\n\n/g, '');
    text = kept;
    for (const i of bad)
      console.warn(`${relative(root, file)}: dropped (tsc rejects it) ${lines[i]?.trim()}`);
  }
  return text;
}

const written: string[] = [];
for (const pkg of pkgs) {
  const short = pkg.name.replace('@myagent/', '');
  if (only.size > 0 && !only.has(short)) continue;
  const file = join(pkg.dir, 'src/index.test-d.ts');
  prune(file, generate(pkg));
  written.push(file);
  console.log(`wrote ${relative(root, file)}`);
}

// Format what was written, and drop the imports of the blocks tsc rejected.
execFileSync('pnpm', ['exec', 'biome', 'check', '--write', '--unsafe', ...written], {
  cwd: root,
  stdio: 'inherit',
});
