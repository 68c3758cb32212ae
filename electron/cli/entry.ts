import { main } from './index';

void main(process.argv.slice(2)).then((code) => {
  // serve keeps running until a signal; every other command exits with its status.
  process.exitCode = code;
});
