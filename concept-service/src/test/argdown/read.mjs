// The Argdown toolchain's own parser (@argdown/core) on Argdown documents: one JSON string (a document) per input
// line, one JSON answer per output line: the front matter, the statements (title, data, text) and the relations
// (from, type, to) as Argdown's model has them, and the parser's errors. Run by ArgdownFormatTest (concept-service).
import { createInterface } from "node:readline";
import { ArgdownApplication, ParserPlugin, ModelPlugin, DataPlugin } from "@argdown/core";

const app = new ArgdownApplication();
app.addPlugin(new ParserPlugin(), "parse-input");
app.addPlugin(new DataPlugin(), "build-model");
app.addPlugin(new ModelPlugin(), "build-model");

for await (const line of createInterface({ input: process.stdin })) {
  const response = app.run({ process: ["parse-input", "build-model"], input: JSON.parse(line) });
  const statements = Object.values(response.statements || {}).map(s => ({
    title: s.title,
    data: s.data ?? null,
    text: (s.members || []).map(m => m.text).find(t => t !== undefined) ?? null,
  }));
  const relations = (response.relations || []).map(r => ({ from: r.from.title, type: r.relationType, to: r.to.title }));
  const errors = [...(response.lexerErrors || []), ...(response.parserErrors || [])].map(e => e.message);
  process.stdout.write(JSON.stringify({ frontMatter: response.frontMatter ?? null, statements, relations, errors }) + "\n");
}
