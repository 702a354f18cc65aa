// Input documents (YAML or JSON) with source positions, so decode issues can point at a line and column.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import { renderIssue, type DecodeIssue, type PathSegment } from '../domain/codec.js';

/** A place in an input file, 1-based like an editor's, for error messages a person can jump to. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed input document: its value, and where each path of it was written. */
export interface SourceDocument {
  readonly file: string;
  readonly value: unknown;
  /**
   * Where the value at `path` (or, with `wantKey`, its key) was written. A path that does not exist is placed at
   * its deepest existing parent; `undefined` when the document is empty.
   */
  readonly locate: (path: ReadonlyArray<PathSegment>, wantKey?: boolean) => Position | undefined;
}

/** A problem with an input file, ready to print: `file:line:col: message`. */
export interface InputError {
  readonly file: string;
  readonly position?: Position;
  readonly message: string;
}

/** The error as one line in the `file:line:col: message` form that editors and CI logs turn into links. */
export const renderInputError = (e: InputError): string =>
  `${e.file}${e.position === undefined ? '' : `:${e.position.line}:${e.position.column}`}: ${e.message}`;

const positionsOf =
  (lineCounter: LineCounter) =>
  (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

/** One parsed document as a SourceDocument, or its syntax errors. */
const toSourceDocument = (
  file: string,
  doc: Document.Parsed,
  at: (offset: number) => Position,
): E.Either<ReadonlyArray<InputError>, SourceDocument> => {
  if (doc.errors.length > 0) {
    return E.left(
      doc.errors.map((err) => ({
        file,
        position: at(err.pos[0]),
        message: `not valid YAML or JSON: ${err.message.split('\n')[0] ?? err.code}`,
      })),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return E.left([
      { file, message: `cannot read the document: ${e instanceof Error ? e.message : String(e)}` },
    ]);
  }
  const locate = (path: ReadonlyArray<PathSegment>, wantKey = false): Position | undefined => {
    let node: unknown = doc.contents;
    let last: Position | undefined = rangeOf(node, at);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (pair === undefined) return last;
        if (wantKey && i === path.length - 1) return rangeOf(pair.key, at) ?? last;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else {
        return last;
      }
      last = rangeOf(node, at) ?? last;
    }
    return last;
  };
  return E.right({ file, value, locate });
};

/** Parses YAML (JSON is a subset); exactly one document is expected. */
export const parseSource = (
  file: string,
  text: string,
): E.Either<ReadonlyArray<InputError>, SourceDocument> => {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = positionsOf(lineCounter);
  if (!Array.isArray(docs)) {
    return E.left([{ file, message: 'expected one YAML or JSON document, found an empty stream' }]);
  }
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length > 1) {
    const second = nonEmpty[1];
    return E.left([
      {
        file,
        ...(second?.range === undefined ? {} : { position: at(second.range[0]) }),
        message: `expected one document, found ${nonEmpty.length}`,
      },
    ]);
  }
  const doc = nonEmpty[0] ?? docs[0];
  if (doc === undefined) return E.right({ file, value: null, locate: () => undefined });
  return toSourceDocument(file, doc, at);
};

/** Parses a YAML stream (`---` between documents; JSON is one document): every non-empty document, in order. */
export const parseSourceStream = (
  file: string,
  text: string,
): E.Either<ReadonlyArray<InputError>, ReadonlyArray<SourceDocument>> => {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = positionsOf(lineCounter);
  const docs = Array.isArray(parsed) ? parsed : [];
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length === 0) return E.right([{ file, value: null, locate: () => undefined }]);
  const out: SourceDocument[] = [];
  for (const d of nonEmpty) {
    const r = toSourceDocument(file, d, at);
    if (E.isLeft(r)) return r;
    out.push(r.right);
  }
  return E.right(out);
};

const rangeOf = (node: unknown, at: (o: number) => Position): Position | undefined => {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : at(range[0]);
};

/** Decode issues as input errors positioned in the source. */
export const issuesToInputErrors = (
  doc: SourceDocument,
  issues: ReadonlyArray<DecodeIssue>,
): ReadonlyArray<InputError> =>
  issues.map((issue) => {
    const position = doc.locate(issue.path, issue.unknownKey !== undefined);
    return { file: doc.file, ...(position === undefined ? {} : { position }), message: renderIssue(issue) };
  });

/** Parses and decodes a document in one step. */
export const loadDocument =
  <A>(decoder: (u: unknown) => E.Either<ReadonlyArray<DecodeIssue>, A>) =>
  (file: string, text: string): E.Either<ReadonlyArray<InputError>, A> =>
    pipe(
      parseSource(file, text),
      E.flatMap((doc) =>
        pipe(
          decoder(doc.value),
          E.mapLeft((issues) => issuesToInputErrors(doc, issues)),
        ),
      ),
    );
