import { expect, it } from 'vitest';
import * as cli from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(cli).sort()).toMatchInlineSnapshot(`
    [
      "COMMANDS",
      "CONDITION_SYNTAX",
      "CliError",
      "DEFAULT_URL",
      "EXIT",
      "GLOBAL_OPTIONS",
      "PROGRAM",
      "cliVersion",
      "commandHelp",
      "createCLI",
      "createClient",
      "errorLine",
      "exitCodeOf",
      "formatCondition",
      "parseCLI",
      "parseCondition",
      "programHelp",
      "readEvents",
      "runCLI",
    ]
  `);
});
