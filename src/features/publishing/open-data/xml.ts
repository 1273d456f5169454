/**
 * A tiny XML writer for the Atom feeds and the DCAT catalogue. Text that staff typed ends up in
 * both, so everything goes through `escapeText`/`escapeAttr`, and characters XML 1.0 cannot carry
 * at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped: a single pasted control
 * character must not make a whole feed unreadable for every subscriber.
 */

export type XmlAttrs = Record<string, string | number | null | undefined>;
export type XmlChild = XmlNode | string | null | undefined | false;

export interface XmlNode {
  name: string;
  attrs: XmlAttrs;
  children: XmlChild[];
}

/** An element; null/undefined attributes and children are left out, so optional parts need no ifs. */
export function el(name: string, attrs: XmlAttrs | null = null, ...children: (XmlChild | XmlChild[])[]): XmlNode {
  return { name, attrs: attrs ?? {}, children: children.flat() };
}

// XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(s: string): string {
  return s.replace(NOT_XML_CHAR, '');
}

export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Also escapes tab and newlines, which attribute-value normalisation would otherwise turn into spaces. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/;

function write(node: XmlNode, indent: string, out: string[]): void {
  if (!NAME.test(node.name)) throw new Error(`not an XML name: ${node.name}`);
  let open = `${indent}<${node.name}`;
  for (const [k, v] of Object.entries(node.attrs)) {
    if (v === null || v === undefined) continue;
    if (!NAME.test(k)) throw new Error(`not an XML attribute name: ${k}`);
    open += ` ${k}="${escapeAttr(String(v))}"`;
  }
  const kids = node.children.filter((c): c is XmlNode | string => c !== null && c !== undefined && c !== false);
  if (kids.length === 0) {
    out.push(`${open}/>`);
  } else if (kids.every((c) => typeof c === 'string')) {
    out.push(`${open}>${kids.map((c) => escapeText(c as string)).join('')}</${node.name}>`);
  } else {
    // Mixed content is never needed here; element children get one per line for readable diffs.
    out.push(`${open}>`);
    for (const c of kids) {
      if (typeof c === 'string') out.push(`${indent}  ${escapeText(c)}`);
      else write(c, `${indent}  `, out);
    }
    out.push(`${indent}</${node.name}>`);
  }
}

/** A whole document, UTF-8, with the XML declaration. */
export function xmlDocument(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
