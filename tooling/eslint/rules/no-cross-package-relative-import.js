// A relative import that leaves its package reaches into another package's files, past its
// public entry point and past the import-direction rules. Cross-package imports name the package.
import path from 'node:path';

/** The folder of the workspace package a file belongs to: packages/x, services/x, tooling/x or tests. */
export function packageRootOf(file, repositoryRoot) {
  const parts = path.relative(repositoryRoot, file).split(path.sep);
  if (parts[0] === 'tests') return 'tests';
  return parts.slice(0, 2).join('/');
}

export const noCrossPackageRelativeImport = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid relative imports that leave the importing package' },
    messages: {
      crossPackage: "'{{source}}' reaches into {{target}} from {{own}}: import it by its package name (@rollcall/...).",
    },
    schema: [],
  },
  create(context) {
    const file = context.physicalFilename;
    const root = context.cwd;
    const own = packageRootOf(file, root);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = packageRootOf(path.resolve(path.dirname(file), source), root);
      if (target !== own)
        context.report({ node: node.source, messageId: 'crossPackage', data: { source, target, own } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
