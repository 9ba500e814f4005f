import { rollcallConfig } from '@rollcall/eslint-config';

// Every query lives in packages/db (issue 12): no file outside it is exempt, and a new one with SQL fails the lint.
export default rollcallConfig();
