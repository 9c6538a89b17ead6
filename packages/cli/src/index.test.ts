import { expect, it } from 'vitest';
import * as cli from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(cli).sort()).toMatchInlineSnapshot(`
    [
      "COMMANDS",
      "CONDITION_SYNTAX",
      "CONFIG_NAMES",
      "CliError",
      "ConfigError",
      "DEFAULT_URL",
      "EXIT",
      "GLOBAL_OPTIONS",
      "PROGRAM",
      "applyConfig",
      "cliVersion",
      "commandHelp",
      "createCLI",
      "createClient",
      "errorLine",
      "errorLines",
      "exitCodeOf",
      "findConfig",
      "formatCondition",
      "loadConfig",
      "parseCLI",
      "parseCondition",
      "planApply",
      "programHelp",
      "readEvents",
      "runCLI",
    ]
  `);
});
