//! Pages parsed as a browser parses them (html5ever's tree builder) into a small owned tree for the
//! tests to query: elements with their attributes, children and text, and microdata properties.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, QualName};

/// An element of a parsed page.
pub struct El {
    pub tag: String,
    pub attrs: HashMap<String, String>,
    pub children: Vec<El>,
    /// All text below it.
    pub text: String,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.attrs.contains_key(name)
    }

    /// This element and every element below it, in document order.
    pub fn all(&self) -> Vec<&El> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.all());
        }
        out
    }

    pub fn find(&self, pred: impl Fn(&El) -> bool) -> Vec<&El> {
        self.all().into_iter().filter(|e| pred(e)).collect()
    }

    pub fn by_id(&self, id: &str) -> Option<&El> {
        self.find(|e| e.attr("id") == Some(id)).into_iter().next()
    }

    pub fn classed(&self, class: &str) -> Vec<&El> {
        self.find(|e| e.attr("class").is_some_and(|c| c.split(' ').any(|x| x == class)))
    }

    /// The microdata properties of this item: the elements with `itemprop` whose nearest item it is.
    pub fn props(&self) -> Vec<(&str, &El)> {
        let mut out = Vec::new();
        for c in &self.children {
            if let Some(p) = c.attr("itemprop") {
                out.push((p, c));
            }
            if !c.has("itemscope") {
                out.extend(c.props());
            }
        }
        out
    }

    pub fn prop(&self, name: &str) -> Option<&El> {
        self.props().into_iter().find(|(p, _)| *p == name).map(|(_, e)| e)
    }
}

/// A page's root element (`html`), parsed as HTML5.
pub fn parse(html: &str) -> El {
    html5ever::parse_document(Sink::default(), Default::default()).one(html)
}

enum Kind {
    Document,
    Element(&'static QualName, Vec<Attribute>),
    Text(String),
    Other,
}

struct Node {
    kind: Kind,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// The tree as the parser builds it: nodes in an arena, handles are indices.
struct Sink {
    nodes: RefCell<Vec<Node>>,
}

impl Default for Sink {
    fn default() -> Self {
        Self {
            nodes: RefCell::new(vec![Node {
                kind: Kind::Document,
                parent: None,
                children: Vec::new(),
            }]),
        }
    }
}

impl Sink {
    fn new_node(&self, kind: Kind) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            kind,
            parent: None,
            children: Vec::new(),
        });
        nodes.len() - 1
    }

    /// Puts `child` (a node, or text merged into a text node beside it) at `at` among `parent`'s children.
    fn insert(&self, parent: usize, at: usize, child: NodeOrText<usize>) {
        let node = match child {
            NodeOrText::AppendText(text) => {
                let mut nodes = self.nodes.borrow_mut();
                if let Some(&prev) = at.checked_sub(1).and_then(|i| nodes[parent].children.get(i)) {
                    if let Kind::Text(t) = &mut nodes[prev].kind {
                        t.push_str(&text);
                        return;
                    }
                }
                drop(nodes);
                self.new_node(Kind::Text(text.to_string()))
            }
            NodeOrText::AppendNode(node) => {
                self.remove_from_parent(&node);
                node
            }
        };
        let mut nodes = self.nodes.borrow_mut();
        let at = at.min(nodes[parent].children.len());
        nodes[parent].children.insert(at, node);
        nodes[node].parent = Some(parent);
    }

    fn convert(&self, i: usize) -> Vec<El> {
        let nodes = self.nodes.borrow();
        let mut out = Vec::new();
        for &c in &nodes[i].children {
            match &nodes[c].kind {
                Kind::Element(name, attrs) => out.push(El {
                    tag: name.local.to_string(),
                    attrs: attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect(),
                    children: self.convert(c),
                    text: self.text(c),
                }),
                _ => out.extend(self.convert(c)),
            }
        }
        out
    }

    fn text(&self, i: usize) -> String {
        let nodes = self.nodes.borrow();
        match &nodes[i].kind {
            Kind::Text(t) => t.clone(),
            _ => nodes[i].children.iter().map(|&c| self.text(c)).collect(),
        }
    }
}

impl TreeSink for Sink {
    type Handle = usize;
    type Output = El;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> El {
        self.convert(0)
            .into_iter()
            .next()
            .expect("a document has a root element")
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> &'a QualName {
        match self.nodes.borrow()[*target].kind {
            Kind::Element(name, _) => name,
            _ => panic!("not an element"),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _flags: ElementFlags) -> usize {
        // Names live as long as the test: the parser asks for them by reference while it builds.
        self.new_node(Kind::Element(Box::leak(Box::new(name)), attrs))
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.new_node(Kind::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.new_node(Kind::Other)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        let end = self.nodes.borrow()[*parent].children.len();
        self.insert(*parent, end, child);
    }

    fn append_based_on_parent_node(&self, element: &usize, prev_element: &usize, child: NodeOrText<usize>) {
        if self.nodes.borrow()[*element].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        *target
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, new_node: NodeOrText<usize>) {
        let (parent, at) = {
            let nodes = self.nodes.borrow();
            let parent = nodes[*sibling].parent.expect("a sibling has a parent");
            let at = nodes[parent]
                .children
                .iter()
                .position(|c| c == sibling)
                .expect("among its parent's children");
            (parent, at)
        };
        self.insert(parent, at, new_node);
    }

    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        if let Kind::Element(_, existing) = &mut self.nodes.borrow_mut()[*target].kind {
            for a in attrs {
                if !existing.iter().any(|e| e.name == a.name) {
                    existing.push(a);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(parent) = nodes[*target].parent.take() {
            nodes[parent].children.retain(|c| c != target);
        }
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let mut nodes = self.nodes.borrow_mut();
        let children = std::mem::take(&mut nodes[*node].children);
        for &c in &children {
            nodes[c].parent = Some(*new_parent);
        }
        nodes[*new_parent].children.extend(children);
    }
}
