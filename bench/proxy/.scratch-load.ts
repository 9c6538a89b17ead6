import { closedLoop } from './load.js';

const r = await closedLoop(process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4]));
console.log(JSON.stringify(r));
process.exit();
