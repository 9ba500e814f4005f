// Every table type and every query lives in packages/db (docs/architecture.md): a schema change
// then touches one package, and reviewers find every query that reads a table in one place.
// This rule finds the three shapes a query takes in this code base outside packages/db: kysely's
// query builder, its `sql` template tag, and SQL text handed to pg.

const BUILDER_METHODS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'replaceInto',
  'selectNoFrom',
]);

// Statement shapes, not single keywords, so prose such as "select a force" is not flagged.
const SQL_TEXT =
  /^\s*(select\s[\s\S]*\bfrom\s|select\s+(1|pg_\w+|now|current_\w+|set_config|to_regclass)\b|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\(|(create|alter|drop)\s+(table|index|schema|database|role|extension|view)\s|truncate\s|copy\s+\w+|listen\s|notify\s|lock\s+table\s|begin\b|commit\b|rollback\b)/i;

export const sqlOnlyInDb = {
  meta: {
    type: 'problem',
    docs: { description: 'queries belong in packages/db' },
    messages: {
      builder: "kysely '{{method}}' outside packages/db: add a repository function in packages/db and call it.",
      tag: 'sql`...` outside packages/db: add a repository function in packages/db and call it.',
      text: 'SQL text outside packages/db: add a repository function in packages/db and call it.',
    },
    schema: [],
  },
  create(context) {
    const textOf = (node) => {
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral') return node.quasis.map((q) => q.value.cooked ?? '').join(' ');
      return undefined;
    };
    return {
      CallExpression(node) {
        const callee = node.callee;
        if (
          callee.type === 'MemberExpression' &&
          callee.property.type === 'Identifier' &&
          BUILDER_METHODS.has(callee.property.name)
        ) {
          context.report({ node: callee.property, messageId: 'builder', data: { method: callee.property.name } });
        }
      },
      TaggedTemplateExpression(node) {
        const tag = node.tag.type === 'MemberExpression' ? node.tag.object : node.tag;
        if (tag.type === 'Identifier' && tag.name === 'sql') context.report({ node, messageId: 'tag' });
      },
      'Literal, TemplateLiteral'(node) {
        if (node.parent?.type === 'TaggedTemplateExpression') return;
        if (node.parent?.type === 'ImportDeclaration' || node.parent?.type === 'ExportNamedDeclaration') return;
        const text = textOf(node);
        if (text !== undefined && SQL_TEXT.test(text)) context.report({ node, messageId: 'text' });
      },
    };
  },
};
