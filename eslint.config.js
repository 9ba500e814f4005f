import { rollcallConfig } from '@rollcall/eslint-config';

export default rollcallConfig({
  // Files that still hold SQL outside packages/db, each moving into a repository there (issue 12).
  sqlExemptions: [],
});
