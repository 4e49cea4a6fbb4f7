#!/usr/bin/env python3
"""Writes the XML twin of CycloneDX JSON conformance examples (see README.md).

usage: make_twins.py CONFORMANCE_SPEC_TESTS_DIR OUT_DIR VERSION/NAME.json...

Knows the parts of the format qlrf reads (metadata timestamp/tools/component, components with
nested components, hashes, licences, purl, scope, supplier, dependencies, services,
vulnerabilities with ratings and analysis) and refuses a document using anything else, so a twin
never silently drops what its JSON says. Element order follows the XML schema.
"""
import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

COMPONENT_ORDER = ["supplier", "author", "publisher", "group", "name", "version", "description",
                   "scope", "hashes", "licenses", "copyright", "cpe", "purl", "properties",
                   "components"]
VULN_ORDER = ["id", "source", "references", "ratings", "cwes", "description", "detail",
              "recommendation", "workaround", "advisories", "created", "published", "updated", "rejected", "credits",
              "tools", "analysis", "affects", "properties"]
SERVICE_ORDER = ["provider", "group", "name", "version", "description", "endpoints",
                 "properties", "services"]


class Unknown(Exception):
    pass


def text(tag, value, indent):
    return f"{indent}<{tag}>{escape(str(value))}</{tag}>\n"


def ordered(obj, order, where, attrs=()):
    extra = set(obj) - set(order) - set(attrs)
    if extra:
        raise Unknown(f"{where}: {sorted(extra)}")
    return [k for k in order if k in obj]


def attributes(obj, names):
    return "".join(f" {n}={quoteattr(str(obj[n]))}" for n in names if n in obj)


def properties(items, indent):
    out = f"{indent}<properties>\n"
    for p in items:
        ordered(p, ["name", "value"], "property")
        out += f"{indent}  <property{attributes(p, ['name'])}>{escape(p.get('value', ''))}" \
            "</property>\n"
    return out + f"{indent}</properties>\n"


def entity(tag, e, indent):
    """An organizational entity or contact (name, url, contact / email, phone)."""
    out = f"{indent}<{tag}{attributes(e, ['bom-ref'])}>\n"
    for k in ordered(e, ["name", "url", "contact", "email", "phone"], tag, ("bom-ref",)):
        if k == "url":
            out += "".join(text("url", u, indent + "  ") for u in e[k])
        elif k == "contact":
            out += "".join(entity("contact", c, indent + "  ") for c in e[k])
        else:
            out += text(k, e[k], indent + "  ")
    return out + f"{indent}</{tag}>\n"


def licenses(items, indent):
    out = f"{indent}<licenses>\n"
    for item in items:
        # One JSON item holding both is invalid; its twin holds both elements, also invalid.
        if "license" in item:
            lic = item["license"]
            keys = ordered(lic, ["id", "name", "text", "url", "properties"], "license",
                           ("bom-ref", "acknowledgement"))
            out += f"{indent}  <license{attributes(lic, ['bom-ref', 'acknowledgement'])}>\n"
            for k in keys:
                if k == "text":
                    t = lic[k]
                    ordered(t, ["content", "contentType", "encoding"], "license text")
                    a = attributes({"content-type": t.get("contentType"),
                                    "encoding": t.get("encoding")} if "encoding" in t else
                                   {"content-type": t.get("contentType")},
                                   [n for n in ("content-type", "encoding")
                                    if (n == "content-type" and "contentType" in t) or
                                    (n == "encoding" and "encoding" in t)])
                    out += f"{indent}    <text{a}>{escape(t['content'])}</text>\n"
                elif k == "properties":
                    out += properties(lic[k], indent + "    ")
                else:
                    out += text(k, lic[k], indent + "    ")
            out += f"{indent}  </license>\n"
        if "expression" in item:
            ordered(item, ["expression", "license"], "licenses[]", ("bom-ref", "acknowledgement"))
            out += f"{indent}  <expression{attributes(item, ['bom-ref', 'acknowledgement'])}>" \
                f"{escape(item['expression'])}</expression>\n"
    return out + f"{indent}</licenses>\n"


def hashes(items, indent):
    out = f"{indent}<hashes>\n"
    for h in items:
        out += f"{indent}  <hash alg={quoteattr(h['alg'])}>{escape(h['content'])}</hash>\n"
    return out + f"{indent}</hashes>\n"


def component(c, indent):
    out = f"{indent}<component{attributes(c, ['type', 'bom-ref'])}>\n"
    inner = indent + "  "
    for k in ordered(c, COMPONENT_ORDER, "component", ("type", "bom-ref")):
        v = c[k]
        if k == "supplier":
            ordered(v, ["name"], "supplier")
            out += f"{inner}<supplier>\n" + text("name", v["name"], inner + "  ") + \
                f"{inner}</supplier>\n"
        elif k == "hashes":
            out += hashes(v, inner)
        elif k == "licenses":
            out += licenses(v, inner)
        elif k == "properties":
            out += properties(v, inner)
        elif k == "components":
            out += f"{inner}<components>\n"
            for child in v:
                out += component(child, inner + "  ")
            out += f"{inner}</components>\n"
        else:
            out += text(k, v, inner)
    return out + f"{indent}</component>\n"


def tools(t, indent, version):
    out = f"{indent}<tools>\n"
    if isinstance(t, list):
        for tool in t:
            out += f"{indent}  <tool>\n"
            for k in ordered(tool, ["vendor", "name", "version", "hashes"], "tool"):
                if k == "hashes":
                    out += hashes(tool[k], indent + "    ")
                else:
                    out += text(k, tool[k], indent + "    ")
            out += f"{indent}  </tool>\n"
    else:
        for k in ordered(t, ["components", "services"], "tools"):
            out += f"{indent}  <{k}>\n"
            for c in t[k]:
                out += (component if k == "components" else service)(c, indent + "    ")
            out += f"{indent}  </{k}>\n"
    return out + f"{indent}</tools>\n"


def service(s, indent):
    attrs = f" bom-ref={quoteattr(s['bom-ref'])}" if "bom-ref" in s else ""
    out = f"{indent}<service{attrs}>\n"
    for k in ordered(s, SERVICE_ORDER, "service", ("bom-ref",)):
        if k == "provider":
            out += entity("provider", s[k], indent + "  ")
        elif k == "properties":
            out += properties(s[k], indent + "  ")
        elif k == "services":
            out += f"{indent}  <services>\n" + \
                "".join(service(c, indent + "    ") for c in s[k]) + f"{indent}  </services>\n"
        elif k == "endpoints":
            out += f"{indent}  <endpoints>\n" + \
                "".join(text("endpoint", e, indent + "    ") for e in s[k]) + \
                f"{indent}  </endpoints>\n"
        else:
            out += text(k, s[k], indent + "  ")
    return out + f"{indent}</service>\n"


def vulnerability(v, indent):
    attrs = f" bom-ref={quoteattr(v['bom-ref'])}" if "bom-ref" in v else ""
    out = f"{indent}<vulnerability{attrs}>\n"
    inner = indent + "  "
    for k in ordered(v, VULN_ORDER, "vulnerability", ("bom-ref",)):
        x = v[k]
        if k == "source":
            out += f"{inner}<source>\n"
            for sk in ordered(x, ["name", "url"], "source"):
                out += text(sk, x[sk], inner + "  ")
            out += f"{inner}</source>\n"
        elif k == "references":
            out += f"{inner}<references>\n"
            for ref in x:
                out += f"{inner}  <reference>\n" + text("id", ref["id"], inner + "    ")
                src = ref.get("source", {})
                out += f"{inner}    <source>\n"
                for sk in ordered(src, ["name", "url"], "reference source"):
                    out += text(sk, src[sk], inner + "      ")
                out += f"{inner}    </source>\n{inner}  </reference>\n"
            out += f"{inner}</references>\n"
        elif k == "ratings":
            out += f"{inner}<ratings>\n"
            for r in x:
                out += f"{inner}  <rating>\n"
                for rk in ordered(r, ["source", "score", "severity", "method", "vector",
                                      "justification"], "rating"):
                    if rk == "source":
                        out += f"{inner}    <source>\n"
                        for sk in ordered(r[rk], ["name", "url"], "rating source"):
                            out += text(sk, r[rk][sk], inner + "      ")
                        out += f"{inner}    </source>\n"
                    else:
                        out += text(rk, r[rk], inner + "    ")
                out += f"{inner}  </rating>\n"
            out += f"{inner}</ratings>\n"
        elif k == "cwes":
            out += f"{inner}<cwes>\n" + "".join(text("cwe", c, inner + "  ") for c in x) + \
                f"{inner}</cwes>\n"
        elif k == "analysis":
            out += f"{inner}<analysis>\n"
            for ak in ordered(x, ["state", "justification", "response", "detail"], "analysis"):
                if ak == "response":
                    out += f"{inner}  <responses>\n" + \
                        "".join(text("response", r, inner + "    ") for r in x[ak]) + \
                        f"{inner}  </responses>\n"
                else:
                    out += text(ak, x[ak], inner + "  ")
            out += f"{inner}</analysis>\n"
        elif k == "advisories":
            out += f"{inner}<advisories>\n"
            for a in x:
                out += f"{inner}  <advisory>\n"
                for ak in ordered(a, ["title", "url"], "advisory"):
                    out += text(ak, a[ak], inner + "    ")
                out += f"{inner}  </advisory>\n"
            out += f"{inner}</advisories>\n"
        elif k == "credits":
            out += f"{inner}<credits>\n"
            for ck, tag in (("organizations", "organization"), ("individuals", "individual")):
                if ck in x:
                    out += f"{inner}  <{ck}>\n" + \
                        "".join(entity(tag, e, inner + "    ") for e in x[ck]) + \
                        f"{inner}  </{ck}>\n"
            ordered(x, ["organizations", "individuals"], "credits")
            out += f"{inner}</credits>\n"
        elif k == "tools":
            out += tools(x, inner, None)
        elif k == "properties":
            out += properties(x, inner)
        elif k == "affects":
            out += f"{inner}<affects>\n"
            for a in x:
                ordered(a, ["ref", "versions"], "affects")
                out += f"{inner}  <target>\n" + text("ref", a["ref"], inner + "    ")
                if "versions" in a:
                    out += f"{inner}    <versions>\n"
                    for ver in a["versions"]:
                        out += f"{inner}      <version>\n"
                        for vk in ordered(ver, ["version", "range", "status"], "affects version"):
                            out += text(vk, ver[vk], inner + "        ")
                        out += f"{inner}      </version>\n"
                    out += f"{inner}    </versions>\n"
                out += f"{inner}  </target>\n"
            out += f"{inner}</affects>\n"
        else:
            out += text(k, x, inner)
    return out + f"{indent}</vulnerability>\n"


def bom(doc):
    version = doc["specVersion"]
    attrs = ""
    if "serialNumber" in doc:
        attrs += f" serialNumber={quoteattr(doc['serialNumber'])}"
    if "version" in doc:
        attrs += f" version=\"{doc['version']}\""
    out = '<?xml version="1.0" encoding="UTF-8"?>\n'
    out += f'<bom xmlns="http://cyclonedx.org/schema/bom/{version}"{attrs}>\n'
    keys = ordered(doc, ["metadata", "components", "services", "dependencies", "vulnerabilities"],
                   "bom", ("bomFormat", "specVersion", "serialNumber", "version", "$schema"))
    for k in keys:
        v = doc[k]
        if k == "metadata":
            out += "  <metadata>\n"
            for mk in ordered(v, ["timestamp", "tools", "authors", "component", "manufacture",
                                  "supplier", "licenses", "properties"], "metadata"):
                if mk == "tools":
                    out += tools(v[mk], "    ", version)
                elif mk == "component":
                    out += component(v[mk], "    ")
                elif mk == "authors":
                    out += "    <authors>\n" + \
                        "".join(entity("author", a, "      ") for a in v[mk]) + "    </authors>\n"
                elif mk in ("manufacture", "supplier"):
                    out += entity(mk, v[mk], "    ")
                elif mk == "licenses":
                    out += licenses(v[mk], "    ")
                elif mk == "properties":
                    out += properties(v[mk], "    ")
                else:
                    out += text(mk, v[mk], "    ")
            out += "  </metadata>\n"
        elif k == "components":
            out += "  <components>\n" + "".join(component(c, "    ") for c in v) + \
                "  </components>\n"
        elif k == "services":
            out += "  <services>\n" + "".join(service(s, "    ") for s in v) + "  </services>\n"
        elif k == "dependencies":
            out += "  <dependencies>\n"
            for d in v:
                ordered(d, ["ref", "dependsOn"], "dependency")
                targets = d.get("dependsOn", [])
                ref = attributes(d, ["ref"])  # absent in an invalid example: absent in its twin
                if not targets:
                    out += f"    <dependency{ref}/>\n"
                    continue
                out += f"    <dependency{ref}>\n"
                out += "".join(f"      <dependency ref={quoteattr(t)}/>\n" for t in targets)
                out += "    </dependency>\n"
            out += "  </dependencies>\n"
        elif k == "vulnerabilities":
            out += "  <vulnerabilities>\n" + "".join(vulnerability(x, "    ") for x in v) + \
                "  </vulnerabilities>\n"
    return out + "</bom>\n"


def main():
    src, dst = sys.argv[1], sys.argv[2]
    for rel in sys.argv[3:]:
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            doc = json.load(f)
        xml = bom(doc)
        target = os.path.join(dst, rel[:-len(".json")] + ".xml")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(xml)
        print(target)


if __name__ == "__main__":
    main()
