//! `to_markdown` on every behaviour its module doc promises, on whole comments as the sources export them, and
//! on random and pathological input.
//! Size: one test per behaviour the module doc promises, most with the whole expected output.

use super::to_markdown as md;

// -- paragraphs and line breaks

#[test]
fn paragraphs_and_divs_are_separated_by_one_blank_line() {
    assert_eq!(md("<p>one</p><p>two</p>"), "one\n\ntwo");
    assert_eq!(md("<div>one</div><div>two</div>"), "one\n\ntwo");
    assert_eq!(md("<p>one</p>\n\n\n<p>two</p>\n"), "one\n\ntwo");
    assert_eq!(md("before<p>inside</p>after"), "before\n\ninside\n\nafter");
    assert_eq!(md("<p>unclosed<p>paragraphs<p>too"), "unclosed\n\nparagraphs\n\ntoo");
    assert_eq!(md("<p></p><p> </p><div><br></div><p>&nbsp;</p>"), "");
    assert_eq!(md("<section><article><p>deep</p></article></section>"), "deep");
}

#[test]
fn br_in_every_spelling_is_a_hard_break() {
    assert_eq!(md("a<br>b<br/>c<BR />d<br >e</br>f"), "a\\\nb\\\nc\\\nd\\\ne\\\nf");
}

#[test]
fn breaks_at_the_edges_vanish_and_double_breaks_end_the_paragraph() {
    assert_eq!(md("<p><br>text<br></p>"), "text");
    assert_eq!(md("a<br><br>b"), "a\n\nb");
    assert_eq!(md("a<br> \n <br><br><br>b"), "a\n\nb");
    assert_eq!(md("a <br> b"), "a\\\nb");
}

// -- inline formatting

#[test]
fn emphasis_strong_and_strikethrough() {
    assert_eq!(md("<em>a</em> <i>b</i>"), "*a* *b*");
    assert_eq!(md("<strong>a</strong> <b>b</b>"), "**a** **b**");
    assert_eq!(md("<del>a</del> <s>b</s> <strike>c</strike>"), "~~a~~ ~~b~~ ~~c~~");
    assert_eq!(md("<b><i>both</i></b>"), "***both***");
    assert_eq!(md("<b>bold <i>and both</i></b>"), "**bold *and both***");
    assert_eq!(md("<del><b>x</b> y</del>"), "~~**x** y~~");
}

#[test]
fn emphasis_works_inside_words() {
    assert_eq!(md("un<b>believ</b>able"), "un**believ**able");
    assert_eq!(md("un<i>believ</i>able"), "un*believ*able");
}

#[test]
fn spaces_move_out_of_formatting() {
    assert_eq!(md("a<b> bold </b>b"), "a **bold** b");
    assert_eq!(md("a <i> </i> b"), "a b");
    assert_eq!(md("<b></b><i></i>x"), "x");
    assert_eq!(md("x<b><br></b>y"), "x\\\ny");
}

#[test]
fn nested_and_repeated_formatting_collapses() {
    assert_eq!(md("<b><b><strong>x</strong></b></b>"), "**x**");
    assert_eq!(md("<b>a</b><b>b</b>"), "**ab**");
    assert_eq!(md("<i>a</i><em>b</em> <i>c</i>"), "*ab* *c*");
}

#[test]
fn formatting_commonmark_cannot_express_is_dropped_not_left_as_stars() {
    // A delimiter between a letter and punctuation can neither open nor close.
    assert_eq!(md("foo<b>\"bar\"</b>baz"), "foo\"bar\"baz");
    assert_eq!(md("<s>x.</s>y"), "x.y");
    // But next to spaces or punctuation it can.
    assert_eq!(md("foo <b>\"bar\"</b> baz"), "foo **\"bar\"** baz");
    assert_eq!(md("(<i>aside</i>)"), "(*aside*)");
    // Two formattings back to back would merge into one delimiter run: the second goes.
    assert_eq!(md("<b>bold</b><i>italic</i>"), "**bold**italic");
    assert_eq!(md("<b>bold</b> <i>italic</i>"), "**bold** *italic*");
}

#[test]
fn misnested_formatting_nests_by_how_long_it_lasts() {
    assert_eq!(md("<b><i>x</b>y</i>"), "***x**y*");
    // Formattings that cross cannot both be written: what would not read back is dropped.
    assert_eq!(md("<i>a<b>b</i>c</b> d"), "*a*bc d");
}

#[test]
fn unclosed_formatting_continues_like_in_a_browser() {
    assert_eq!(md("<p>a <b>bold</p><p>still</p>"), "a **bold**\n\n**still**");
    assert_eq!(md("<p>a <i>x</i></b> b</p>"), "a *x* b");
}

#[test]
fn headings_become_bold_paragraphs() {
    assert_eq!(md("<h1>Title</h1><p>text</p>"), "**Title**\n\ntext");
    assert_eq!(md("<h3>Sub <em>it</em></h3>"), "**Sub *it***");
    assert_eq!(md("<h2><b>already bold</b></h2>"), "**already bold**");
    assert_eq!(
        md("<blockquote><h2>open heading</blockquote>after"),
        "> **open heading**\n\nafter"
    );
}

// -- code

#[test]
fn inline_code() {
    assert_eq!(md("use <code>x * y</code> here"), "use `x * y` here");
    assert_eq!(md("<code>a`b</code>"), "``a`b``");
    assert_eq!(md("<code>`x`</code>"), "`` `x` ``");
    assert_eq!(md("<code>``</code>"), "``` `` ```");
    assert_eq!(md("<tt>tt</tt> <kbd>Ctrl</kbd> <samp>out</samp>"), "`tt` `Ctrl` `out`");
    assert_eq!(md("<code>&lt;b&gt; &amp;amp; \\n</code>"), "`<b> &amp; \\n`");
}

#[test]
fn inline_code_keeps_its_spaces_outside_and_drops_formatting_inside() {
    assert_eq!(md("a<code> b </code>c"), "a `b` c");
    assert_eq!(md("<code>a <b>b</b>  c</code>"), "`a b c`");
    assert_eq!(md("<code>a<br>b</code>"), "`a b`");
    assert_eq!(md("<code> </code>x"), "x");
    assert_eq!(md("<code>a</code><code>b</code>"), "`ab`");
    assert_eq!(
        md("<code><a href=\"https://x.org\">link</a></code>"),
        "[`link`](https://x.org)"
    );
}

#[test]
fn pre_becomes_a_fenced_code_block() {
    assert_eq!(md("<pre>fn main() {}</pre>"), "```\nfn main() {}\n```");
    assert_eq!(
        md("<pre><code class=\"language-rust\">let x = 1;\n\n    y  *z*\n</code></pre>"),
        "```\nlet x = 1;\n\n    y  *z*\n```"
    );
    // The newline right after <pre> is not content; entities are decoded; tags are dropped.
    assert_eq!(md("<pre>\n<b>a</b> &lt; b<br>c</pre>"), "```\na < b\nc\n```");
    assert_eq!(md("<pre>\n\n   \n</pre>"), "");
}

#[test]
fn code_blocks_fence_longer_than_any_backtick_run_inside() {
    assert_eq!(md("<pre>```\nx\n```</pre>"), "````\n```\nx\n```\n````");
    assert_eq!(md("<pre>a ````` b</pre>"), "``````\na ````` b\n``````");
}

#[test]
fn xmp_listing_and_plaintext_are_preformatted() {
    assert_eq!(md("<xmp><b>raw</b></xmp>"), "```\n<b>raw</b>\n```");
    assert_eq!(md("<listing>l</listing>"), "```\nl\n```");
    assert_eq!(md("a<plaintext><p>rest &amp;"), "a\n\n```\n<p>rest &amp;\n```");
}

// -- links and images

#[test]
fn links_to_web_and_mail_addresses() {
    assert_eq!(
        md("<a href=\"https://example.org/a\">text</a>"),
        "[text](https://example.org/a)"
    );
    assert_eq!(md("<a href='http://example.org'>t</a>"), "[t](http://example.org)");
    assert_eq!(
        md("<a href=mailto:bob@example.org>mail</a>"),
        "[mail](mailto:bob@example.org)"
    );
    assert_eq!(
        md("<A HREF=\"HTTPS://EXAMPLE.ORG\">up</A>"),
        "[up](HTTPS://EXAMPLE.ORG)"
    );
    assert_eq!(
        md("<a href=\"  https://example.org/x \n\">t</a>"),
        "[t](https://example.org/x)"
    );
}

#[test]
fn link_titles_are_kept() {
    assert_eq!(
        md("<a href=\"https://x.org\" title='Say \"hi\" \\ now'>z</a>"),
        "[z](https://x.org \"Say \\\"hi\\\" \\\\ now\")"
    );
    assert_eq!(md("<a href=\"https://x.org\" title=\"  \">z</a>"), "[z](https://x.org)");
}

#[test]
fn a_link_showing_its_own_address_is_an_autolink() {
    assert_eq!(
        md("<a href=\"https://x.org/a_b\">https://x.org/a_b</a>"),
        "<https://x.org/a_b>"
    );
    assert_eq!(
        md("<a href=\"https://x.org\" title=\"t\">https://x.org</a>"),
        "[https://x.org](https://x.org \"t\")"
    );
}

#[test]
fn link_destinations_are_written_so_they_read_back_the_same() {
    assert_eq!(
        md("<a href=\"https://en.wikipedia.org/wiki/Rust_(language)\">Rust</a>"),
        "[Rust](https://en.wikipedia.org/wiki/Rust_(language))"
    );
    assert_eq!(md("<a href=\"https://x.org/a)b\">x</a>"), "[x](https://x.org/a\\)b)");
    assert_eq!(
        md("<a href=\"https://x.org/a b<c>\">x</a>"),
        "[x](https://x.org/a%20b%3Cc%3E)"
    );
    assert_eq!(
        md("<a href=\"https://x.org/?a=1&amp;b=2\">x</a>"),
        "[x](https://x.org/?a=1&b=2)"
    );
    assert_eq!(
        md("<a href=\"https://x.org/?x=&amp;copy;\">x</a>"),
        "[x](https://x.org/?x=\\&copy;)"
    );
    assert_eq!(md("<a href=\"https://x.org/a\\b\">x</a>"), "[x](https://x.org/a\\\\b)");
}

#[test]
fn link_text_is_escaped_for_link_text() {
    assert_eq!(
        md("<a href=\"https://x.org\">[1] *star* a]b</a>"),
        "[\\[1\\] \\*star\\* a\\]b](https://x.org)"
    );
    assert_eq!(
        md("<a href=\"https://x.org\">see <b>this</b></a>"),
        "[see **this**](https://x.org)"
    );
    assert_eq!(
        md("<b><a href=\"https://x.org\">bold link</a></b>"),
        "**[bold link](https://x.org)**"
    );
}

#[test]
fn links_to_anything_else_keep_only_their_text() {
    for href in [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:x",
        "data:text/html,<script>alert(1)</script>",
        "/relative",
        "#anchor",
        "//evil.example/x",
        "http:///x",
        "https://",
        "mailto:",
        "",
    ] {
        assert_eq!(md(&format!("<a href=\"{href}\">click</a>")), "click", "{href:?}");
    }
    assert_eq!(md("<a name=\"x\">anchor</a> <a>bare</a>"), "anchor bare");
}

#[test]
fn links_do_not_nest() {
    assert_eq!(
        md("<a href=\"https://a.org\">a <a href=\"https://b.org\">b</a> c</a>"),
        "[a](https://a.org) [b](https://b.org) c"
    );
}

#[test]
fn images_become_their_alt_text_or_a_link_to_their_address() {
    assert_eq!(md("<img src=\"https://x.org/a.png\" alt=\"a cat\">"), "a cat");
    assert_eq!(md("<img alt=\"*not* emphasis\">"), "\\*not\\* emphasis");
    assert_eq!(md("see <img src=\"https://x.org/a.png\">"), "see <https://x.org/a.png>");
    assert_eq!(
        md("<img src=\"javascript:alert(1)\"><img src=\"data:image/png;base64,xx\"><img>"),
        ""
    );
    assert_eq!(md("<img src=\"x.png\" alt=\"\">"), "");
    // A thumbnail linking to the full picture: the link shows its address.
    assert_eq!(
        md("<a href=\"https://x.org/big.jpg\"><img src=\"https://x.org/small.jpg\"></a>"),
        "<https://x.org/big.jpg>"
    );
    assert_eq!(
        md("<a href=\"https://x.org/\"><img src=\"s.jpg\" alt=\"Home\"></a>"),
        "[Home](https://x.org/)"
    );
}

// -- blocks

#[test]
fn blockquotes_nest() {
    assert_eq!(md("<blockquote>quoted</blockquote>reply"), "> quoted\n\nreply");
    assert_eq!(md("<blockquote><p>a</p><p>b</p></blockquote>"), "> a\n>\n> b");
    assert_eq!(
        md("<blockquote>outer<blockquote>inner</blockquote>back</blockquote>"),
        "> outer\n>\n> > inner\n>\n> back"
    );
    assert_eq!(md("<blockquote>line<br>break</blockquote>"), "> line\\\n> break");
    assert_eq!(md("<blockquote><blockquote></blockquote></blockquote>x"), "x");
    assert_eq!(md("<blockquote>unclosed"), "> unclosed");
}

#[test]
fn two_blockquotes_in_a_row_stay_two() {
    assert_eq!(md("<blockquote>a</blockquote><blockquote>b</blockquote>"), "> a\n\n> b");
}

#[test]
fn lists() {
    assert_eq!(md("<ul><li>one</li><li>two</li></ul>"), "- one\n- two");
    assert_eq!(md("<ol><li>one</li><li>two</li></ol>"), "1. one\n2. two");
    assert_eq!(
        md("<ol start=\"7\"><li>seven</li><li>eight</li></ol>"),
        "7. seven\n8. eight"
    );
    assert_eq!(md("<ul><li>unclosed<li>items</ul>"), "- unclosed\n- items");
    assert_eq!(md("<ul>\n  <li> spaced </li>\n  <li>\n</li>\n</ul>"), "- spaced");
}

#[test]
fn nested_lists_indent_by_their_marker() {
    assert_eq!(
        md("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>"),
        "- a\n  - b\n    1. c\n- d"
    );
    assert_eq!(
        md("<ol start=\"10\"><li>x<ul><li>y</li></ul></li></ol>"),
        "10. x\n    - y"
    );
    // A list directly inside a list (a common editor mistake) nests under the previous item.
    assert_eq!(
        md("<ul><li>a</li><ul><li>b</li></ul><li>c</li></ul>"),
        "- a\n  - b\n- c"
    );
}

#[test]
fn paragraphs_in_list_items_make_the_list_loose() {
    assert_eq!(md("<ul><li><p>a</p></li><li><p>b</p></li></ul>"), "- a\n- b");
    assert_eq!(
        md("<ol><li><p>a</p><p>more</p></li><li>b</li></ol>"),
        "1. a\n\n   more\n\n2. b"
    );
}

#[test]
fn blocks_inside_list_items() {
    assert_eq!(
        md("<ul><li>code:<pre>x\ny</pre></li></ul>"),
        "- code:\n  ```\n  x\n  y\n  ```"
    );
    assert_eq!(
        md("<ul><li>said:<blockquote>q</blockquote></li></ul>"),
        "- said:\n  > q"
    );
    assert_eq!(md("<ul><li><blockquote>q</blockquote></li></ul>"), "- > q");
    assert_eq!(md("<ul><li>a<br>b</li></ul>"), "- a\\\n  b");
    assert_eq!(
        md("<blockquote><ul><li>a</li><li>b</li></ul></blockquote>"),
        "> - a\n> - b"
    );
}

#[test]
fn list_numbers_stay_within_what_commonmark_accepts() {
    assert_eq!(md("<ol start=\"0\"><li>zero</li></ol>"), "0. zero");
    assert_eq!(md("<ol start=\"-3\"><li>x</li></ol>"), "1. x");
    assert_eq!(md("<ol start=\"many\"><li>x</li></ol>"), "1. x");
    assert_eq!(md("<ol start=\"1000000000\"><li>x</li></ol>"), "1. x");
    assert_eq!(
        md("<ol start=\"999999999\"><li>a</li><li>b</li></ol>"),
        "999999999. a\n999999999. b"
    );
}

#[test]
fn lists_in_a_row_stay_separate() {
    assert_eq!(
        md("<ul><li>a</li></ul><ul><li>b</li></ul><ul><li>c</li></ul>"),
        "- a\n\n* b\n\n- c"
    );
    assert_eq!(md("<ol><li>a</li></ol><ol><li>b</li></ol>"), "1. a\n\n1) b");
    assert_eq!(md("<ol><li>a</li></ol><ul><li>b</li></ul>"), "1. a\n\n- b");
}

#[test]
fn odd_list_content() {
    // An item outside a list is a paragraph; text directly in a list joins the last item.
    assert_eq!(md("<li>orphan</li>"), "orphan");
    assert_eq!(md("<ul><li>a</li>stray</ul>"), "- a\n\n  stray");
    assert_eq!(md("<ul>first<li>a</li></ul>"), "- first\n- a");
    assert_eq!(md("<ul><li></li><li>x</li></ul>"), "- x");
    // `</li>` closes a blockquote left open inside it.
    assert_eq!(md("<ul><li><blockquote>q</li><li>next</li></ul>"), "- > q\n- next");
}

#[test]
fn horizontal_rules() {
    assert_eq!(md("a<hr>b"), "a\n\n---\n\nb");
    assert_eq!(md("<p>a</p><hr/><hr><p>b</p>"), "a\n\n---\n\n---\n\nb");
    // `- ---` would itself be a rule, not an item holding one.
    assert_eq!(md("<ul><li><hr></li></ul>"), "- ***");
    assert_eq!(md("<blockquote><hr></blockquote>"), "> ---");
}

#[test]
fn tables_become_rows_of_text() {
    assert_eq!(
        md("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"),
        "A B\n\n1 2"
    );
}

#[test]
fn deep_nesting_is_flattened_not_a_stack_overflow() {
    let html = format!(
        "{}deep{}",
        "<blockquote>".repeat(10_000),
        "</blockquote>".repeat(10_000)
    );
    let out = md(&html);
    assert_eq!(out, format!("{}deep", "> ".repeat(16)));
    let html = format!("{}x", "<ul><li>".repeat(10_000));
    assert!(md(&html).ends_with("- x"));
    let html = format!("{}x", "<b><i><s><a href=\"https://x.org\">".repeat(10_000));
    assert_eq!(md(&html), "***~~[x](https://x.org)~~***");
}

// -- everything else

#[test]
fn other_tags_are_dropped_and_their_text_kept() {
    assert_eq!(
        md("<span style=\"color:red\">red</span> <font size=7>big</font> <u>under</u> <sup>2</sup>"),
        "red big under 2"
    );
    assert_eq!(md("<custom-element a=b>custom</custom-element>"), "custom");
    assert_eq!(
        md("<object data=\"x\">fallback</object><svg><text>svg</text></svg>"),
        "fallbacksvg"
    );
    assert_eq!(md("<textarea>a &lt; <b>b</b></textarea>"), "a < \\<b>b\\</b>");
}

#[test]
fn scripts_styles_and_invisible_content_vanish() {
    assert_eq!(md("<script>alert(1)</script>ok"), "ok");
    assert_eq!(
        md("<SCRIPT type=text/javascript>document.write('<p>x</p>')</SCRIPT>ok"),
        "ok"
    );
    assert_eq!(md("<script>if (a </script> b) {}</script>ok"), "b) {}ok");
    assert_eq!(md("<style>p { color: red }</style>ok"), "ok");
    assert_eq!(md("<iframe src=\"https://evil.example\">inner</iframe>ok"), "ok");
    assert_eq!(
        md("<noscript>enable js</noscript><title>t</title><template><p>t</p></template>ok"),
        "ok"
    );
    assert_eq!(md("ok<script>never closed <b>bold</b>"), "ok");
}

#[test]
fn comments_and_declarations_vanish() {
    assert_eq!(md("a<!-- hidden -->b"), "ab");
    assert_eq!(md("a<!--[if IE]><p>ie</p><![endif]-->b"), "ab");
    assert_eq!(md("<!DOCTYPE html><?xml version=\"1.0\"?>a<![CDATA[x]]>b"), "ab");
    assert_eq!(md("a<!-->b<!--->c"), "abc");
    assert_eq!(md("a<!-- never closed <p>b</p>"), "a");
    assert_eq!(md("a</ >b</>c"), "abc");
}

#[test]
fn attributes_in_any_quoting() {
    let link = "[x](https://x.org/a)";
    assert_eq!(md("<a href=\"https://x.org/a\">x</a>"), link);
    assert_eq!(md("<a href='https://x.org/a'>x</a>"), link);
    assert_eq!(md("<a href=https://x.org/a>x</a>"), link);
    assert_eq!(md("<a   HREF = \"https://x.org/a\"  >x</a>"), link);
    assert_eq!(
        md("<a title=\"a > b\" href=\"https://x.org/a\">x</a>"),
        "[x](https://x.org/a \"a > b\")"
    );
    assert_eq!(md("<a href=\"https://x.org/a\" href=\"javascript:x\">x</a>"), link);
    assert_eq!(md("<a onclick=\"x()\" href=\"https://x.org/a\"/>x</a>"), link);
    assert_eq!(md("<a href=\"https://x.org/a\"x>x</a>"), link);
}

// -- hostile and broken input

#[test]
fn stray_angle_brackets_stay_text() {
    assert_eq!(md("a < b and c > d"), "a < b and c > d");
    assert_eq!(md("I <3 you"), "I <3 you");
    assert_eq!(md("x<y"), "x\\<y");
    assert_eq!(md("<"), "<");
    assert_eq!(md("</"), "\\</");
    assert_eq!(md("if a<b then"), "if a\\<b then");
    assert_eq!(md("<<>>"), "<<>>");
}

#[test]
fn a_tag_that_never_ends_is_read_up_to_the_next_angle_bracket_or_kept_as_text() {
    assert_eq!(md("a <b c=\"d>e"), "a **e**");
    assert_eq!(md("a <b c=\"d e"), "a \\<b c=\"d e");
    assert_eq!(
        md("<a href=\"https://x.org\" title=\"unterminated>link</a> after"),
        "[link](https://x.org \"unterminated\") after"
    );
}

#[test]
fn uppercase_and_mixed_case_tags() {
    assert_eq!(md("<P>a</P><B>b</B> <I>i</I> <Del>d</dEL>"), "a\n\n**b** *i* ~~d~~");
    assert_eq!(md("<UL><LI>x</LI></UL>"), "- x");
}

#[test]
fn nul_and_carriage_returns() {
    assert_eq!(md("a\0b"), "ab");
    assert_eq!(md("<pre>a\r\nb\rc</pre>"), "```\na\nb\nc\n```");
    assert_eq!(md("<p>a\r\n\r\nb</p>"), "a b");
}

// -- character references

#[test]
fn named_decimal_and_hex_references() {
    assert_eq!(
        md("&amp; &lt; &gt; &quot; &apos; &copy; &eacute; &mdash; &hellip; &euro;"),
        "& < > \" ' © é — … €"
    );
    assert_eq!(md("&#65;&#x42;&#X43; &#233;"), "ABC é");
    assert_eq!(md("&AMP; &LT;3 &COPY;"), "& <3 ©");
}

#[test]
fn astral_plane_references_are_emoji() {
    assert_eq!(
        md("&#128512; &#x1F600; &#X1f600;&#x1F44D;&#127987;&#65039;"),
        "😀 😀 😀👍🏳️"
    );
    assert_eq!(md("<b>&#128512;</b>"), "**😀**");
}

#[test]
fn invalid_references_stay_text() {
    assert_eq!(
        md("&bogus; &; &#; &#x; &#xZZ; & alone &&"),
        "\\&bogus; &; &#; &#x; &#xZZ; & alone &&"
    );
    assert_eq!(md("AT&T R&D"), "AT&T R&D");
}

#[test]
fn references_browsers_repair() {
    // Out of range, surrogates and zero become U+FFFD; 128–159 are windows-1252.
    assert_eq!(
        md("&#0; &#xD800; &#1114112; &#99999999999999999999;"),
        "\u{FFFD} \u{FFFD} \u{FFFD} \u{FFFD}"
    );
    assert_eq!(md("&#150; &#147;q&#148; &#128;"), "– “q” €");
    // Legacy names without the semicolon, and numbers without it.
    assert_eq!(md("&amp &lt3 &copy2024 &notit; &#65B"), "& <3 ©2024 ¬it; AB");
}

#[test]
fn references_in_attributes_follow_the_attribute_rule() {
    assert_eq!(
        md("<a href=\"https://x.org/?a=1&copy=2\">x</a>"),
        "[x](https://x.org/?a=1&copy=2)"
    );
    assert_eq!(
        md("<a href=\"https://x.org/?a=1&amp;b=2&#38;c\">x</a>"),
        "[x](https://x.org/?a=1&b=2&c)"
    );
    assert_eq!(md("<img alt=\"caf&eacute; &copy 1\">"), "café © 1");
}

#[test]
fn no_break_spaces_are_spaces() {
    assert_eq!(md("a&nbsp;&nbsp;b &nbsp; c"), "a b c");
    assert_eq!(md("<p>&nbsp;</p><p>x&#160;</p>"), "x");
}

#[test]
fn escaped_markup_is_text() {
    assert_eq!(md("&lt;b&gt;not bold&lt;/b&gt;"), "\\<b>not bold\\</b>");
    assert_eq!(
        md("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "\\<script>alert(1)\\</script>"
    );
    assert_eq!(md("&amp;lt;b&amp;gt;"), "\\&lt;b\\&gt;");
    assert_eq!(md("&lt;!-- x --&gt; &lt;?php"), "\\<!-- x --> \\<?php");
}

// -- escaping

#[test]
fn markdown_characters_in_text_are_escaped() {
    assert_eq!(md("a\\b"), "a\\\\b");
    assert_eq!(md("`tick`"), "\\`tick\\`");
    assert_eq!(md("*stars* and **more**"), "\\*stars\\* and \\*\\*more\\*\\*");
    assert_eq!(md("_under_ and __more__"), "\\_under\\_ and \\_\\_more\\_\\_");
    assert_eq!(md("~tilde~ ~~del~~"), "\\~tilde\\~ \\~\\~del\\~\\~");
    assert_eq!(md("[link](http://x) [ref]"), "\\[link](<http://x>) \\[ref]");
    assert_eq!(md("![image](x)"), "!\\[image](x)");
    assert_eq!(
        md("<a href=\"https://x.org\">x</a>!<a href=\"https://x.org\">y</a>"),
        "[x](https://x.org)\\![y](https://x.org)"
    );
}

#[test]
fn ordinary_punctuation_is_left_alone() {
    let text = "Hello, world! Really? Yes: (a) - b + c = d; 'quoted' \"too\" #1 100% $5 @me a|b {x} ^ 1.5 1) ok.";
    assert_eq!(md(text), text);
    assert_eq!(md("2 * 3 = 6 and 4 ~ 5"), "2 * 3 = 6 and 4 ~ 5");
    assert_eq!(md("snake_case_name and a_b"), "snake_case_name and a_b");
    assert_eq!(md("C:\\Users\\me"), "C:\\\\Users\\\\me");
}

#[test]
fn line_starts_that_would_be_markdown_blocks_are_escaped() {
    assert_eq!(md("- not a list"), "\\- not a list");
    assert_eq!(md("+ not a list"), "\\+ not a list");
    assert_eq!(md("* not a list"), "\\* not a list");
    assert_eq!(md("1. not a list"), "1\\. not a list");
    assert_eq!(md("2024. A year"), "2024\\. A year");
    assert_eq!(md("3) not a list"), "3\\) not a list");
    assert_eq!(md("# not a heading"), "\\# not a heading");
    assert_eq!(md("###### six"), "\\###### six");
    assert_eq!(md("> not a quote"), "\\> not a quote");
    assert_eq!(md("---"), "\\---");
    assert_eq!(md("- - -"), "\\- - -");
    assert_eq!(md("***"), "\\*\\*\\*");
    assert_eq!(md("___"), "\\_\\_\\_");
    assert_eq!(md("```"), "\\`\\`\\`");
    assert_eq!(md("~~~"), "\\~\\~\\~");
    assert_eq!(md("    indented"), "indented");
    assert_eq!(md("[ref]: https://x.org"), "\\[ref]: <https://x.org>");
    // Only at the start of a line.
    assert_eq!(md("a - b + c > d # e 1. f"), "a - b + c > d # e 1. f");
    // Not when it cannot start a block anyway.
    assert_eq!(
        md("-5 degrees, +1, #hashtag, 1.5, 10000000000. x"),
        "-5 degrees, +1, #hashtag, 1.5, 10000000000. x"
    );
}

#[test]
fn line_starts_after_a_break_are_escaped_too() {
    assert_eq!(
        md("a<br>- b<br>1. c<br>===<br># d"),
        "a\\\n\\- b\\\n1\\. c\\\n\\===\\\n\\# d"
    );
    assert_eq!(md("<b>a<br>- b</b>"), "**a\\\n\\- b**");
    assert_eq!(md("<blockquote>&gt; nested?</blockquote>"), "> \\> nested?");
    assert_eq!(md("<ul><li>- dash</li></ul>"), "- \\- dash");
}

#[test]
fn character_references_in_text_are_not_reread() {
    assert_eq!(
        md("&amp;copy; &amp;#169; &amp;#xA9; &amp;amp"),
        "\\&copy; \\&#169; \\&#xA9; &amp"
    );
}

// -- bare addresses

#[test]
fn bare_addresses_become_autolinks() {
    assert_eq!(md("see https://x.org/a_b*c* now"), "see <https://x.org/a_b*c>\\* now");
    assert_eq!(
        md("(https://x.org/p), and https://x.org/q."),
        "(<https://x.org/p>), and <https://x.org/q>."
    );
    assert_eq!(
        md("https://en.wikipedia.org/wiki/Rust_(x)"),
        "<https://en.wikipedia.org/wiki/Rust_(x)>"
    );
    assert_eq!(md("xhttps://x.org http:// nohost"), "xhttps://x.org http:// nohost");
    assert_eq!(
        md("<a href=\"https://y.org\">https://x.org</a>"),
        "[https://x.org](https://y.org)"
    );
}

#[test]
fn bare_www_addresses_stay_text_unless_an_escape_would_cut_them() {
    assert_eq!(md("www.example.org/path"), "www.example.org/path");
    assert_eq!(
        md("www.example.org/~me"),
        "[www.example.org/\\~me](https://www.example.org/~me)"
    );
    assert_eq!(md("www.x"), "www.x");
}

// -- whitespace

#[test]
fn whitespace_collapses_and_paragraphs_are_trimmed() {
    assert_eq!(md("<div>  a \n\t b  </div>"), "a b");
    assert_eq!(md("<p>\n  line one\n  line two\n</p>"), "line one line two");
    assert_eq!(md("a<span> </span> <span> </span>b"), "a b");
    assert_eq!(md("<p>x</p>\n\n\n\n<p>y</p>\n\n"), "x\n\ny");
    assert_eq!(md(""), "");
    assert_eq!(md(" \n\t "), "");
}

#[test]
fn no_trailing_whitespace_even_after_code() {
    assert_eq!(md("<pre>code   \n\n</pre>"), "```\ncode\n```");
    assert_eq!(md("<ul><li>x</li></ul>\n\n"), "- x");
}

// -- bodies without structure

#[test]
fn a_wordpress_body_without_paragraphs_reads_as_wordpress_shows_it() {
    let html = concat!(
        "Thanks for the write-up, <strong>really</strong> useful.\n",
        "I tried it on <a href=\"https://example.com/demo\">the demo</a> and it works.\n",
        "\n",
        "One question: does it scale?\n",
        "- Anna",
    );
    let expected = concat!(
        "Thanks for the write-up, **really** useful.\\\n",
        "I tried it on [the demo](https://example.com/demo) and it works.\n",
        "\n",
        "One question: does it scale?\\\n",
        "\\- Anna",
    );
    assert_eq!(md(html), expected);
}

#[test]
fn crlf_and_cr_newlines_in_a_body_without_structure() {
    assert_eq!(md("one\r\ntwo\r\n\r\nthree"), "one\\\ntwo\n\nthree");
    assert_eq!(md("one\rtwo\r\rthree"), "one\\\ntwo\n\nthree");
    assert_eq!(md("a\r\n\r\n\r\n\r\nb\r\n"), "a\n\nb");
}

#[test]
fn a_body_with_any_block_element_or_br_keeps_its_newlines_as_spaces() {
    assert_eq!(md("<p>one\ntwo</p>\n\nthree\nfour"), "one two\n\nthree four");
    assert_eq!(md("one\n\n<p>two\nthree</p>"), "one\n\ntwo three");
    assert_eq!(md("one\n\ntwo<br>three"), "one two\\\nthree");
    assert_eq!(md("one\n\ntwo</p>"), "one two");
    assert_eq!(md("<blockquote>q\n\nr</blockquote>"), "> q r");
    assert_eq!(md("x\n<hr>\ny"), "x\n\n---\n\ny");
    // Inside `pre` newlines are kept, as always.
    assert_eq!(
        md("code:\n<pre>a\n\n  b\n</pre>\nend"),
        "code:\n\n```\na\n\n  b\n```\n\nend"
    );
}

#[test]
fn whitespace_only_lines_between_paragraphs() {
    assert_eq!(md("one\n \t \ntwo"), "one\n\ntwo");
    assert_eq!(md("one\n  \n\n \t\n\nthree"), "one\n\nthree");
    assert_eq!(md("one\n&nbsp;\ntwo"), "one\n\ntwo");
    assert_eq!(md("\n \n  one  \n  two  \n \n"), "one\\\ntwo");
}

#[test]
fn newlines_and_inline_markup_in_a_body_without_structure() {
    // Formatting runs on across the paragraph break, as it does across `<p>`.
    assert_eq!(md("<b>bold\n\nstill</b> not"), "**bold**\n\n**still** not");
    assert_eq!(md("a <i>b\nc</i>"), "a *b\\\nc*");
    // Inside inline code a newline is a space, as a `<br>` is there.
    assert_eq!(md("<code>a\nb</code>"), "`a b`");
    // Only newlines written as such count: `&#10;` is whitespace.
    assert_eq!(md("a&#10;b&#10;&#10;c"), "a b c");
    // Newlines inside tags and comments are not text.
    assert_eq!(
        md("a<!--\n\n-->b <a\nhref=\"https://x.org\">x</a>"),
        "ab [x](https://x.org)"
    );
}

// -- whole comments, as the sources export them

#[test]
fn a_disqus_comment() {
    let html = concat!(
        "<p>Great post! I liked <a href=\"http://disq.us/url?url=http%3A%2F%2Fexample.com%2F%3Aabc&amp;cuid=1\" ",
        "rel=\"nofollow noopener\" target=\"_blank\" title=\"http://example.com/\">example.com/...</a></p>",
        "<p>Thanks,<br>Bob <b>&amp;</b> <i>Alice</i> &#128512;</p>",
    );
    let expected = concat!(
        "Great post! I liked [example.com/...](http://disq.us/url?url=http%3A%2F%2Fexample.com%2F%3Aabc&cuid=1 ",
        "\"http://example.com/\")\n",
        "\n",
        "Thanks,\\\n",
        "Bob **&** *Alice* 😀",
    );
    assert_eq!(md(html), expected);
}

#[test]
fn a_wordpress_comment() {
    let html = concat!(
        "<p>I disagree with point #2.</p>\n",
        "<blockquote><p>All _variables_ should be global</p></blockquote>\n",
        "<p>No! See <code>let x = 1;</code> and:</p>\n",
        "<pre>if (a &lt; b &amp;&amp; c) {\n  run();\n}</pre>\n",
        "<ul>\n<li>one</li>\n<li>two <strong>important</strong></li>\n</ul>",
    );
    let expected = concat!(
        "I disagree with point #2.\n",
        "\n",
        "> All \\_variables\\_ should be global\n",
        "\n",
        "No! See `let x = 1;` and:\n",
        "\n",
        "```\n",
        "if (a < b && c) {\n",
        "  run();\n",
        "}\n",
        "```\n",
        "\n",
        "- one\n",
        "- two **important**",
    );
    assert_eq!(md(html), expected);
}

#[test]
fn a_blogger_comment() {
    let html = concat!(
        "Nice recipe!<br /><br />I used 2*3 eggs &amp; it worked.<br />Tip: bake at 180&deg;C.<br />",
        "<a href=\"https://www.blogger.com/profile/123\" rel=\"nofollow\">Anna</a>",
    );
    let expected = concat!(
        "Nice recipe!\n",
        "\n",
        "I used 2\\*3 eggs & it worked.\\\n",
        "Tip: bake at 180°C.\\\n",
        "[Anna](https://www.blogger.com/profile/123)",
    );
    assert_eq!(md(html), expected);
}

#[test]
fn a_remark42_comment() {
    let html = concat!(
        "<p>Reply to <strong>@john</strong>:</p>\n",
        "<ol>\n<li>first</li>\n<li>second <del>wrong</del> right</li>\n</ol>\n",
        "<p>See <a href=\"https://remark42.com/docs/\">the docs</a>, or https://github.com/umputun/remark42.</p>\n",
        "<p><img src=\"https://remark42.example/api/v1/picture/x.png\" alt=\"screenshot\"></p>",
    );
    let expected = concat!(
        "Reply to **@john**:\n",
        "\n",
        "1. first\n",
        "2. second ~~wrong~~ right\n",
        "\n",
        "See [the docs](https://remark42.com/docs/), or <https://github.com/umputun/remark42>.\n",
        "\n",
        "screenshot",
    );
    assert_eq!(md(html), expected);
}

#[test]
fn a_hostile_comment() {
    let html = "<p onmouseover=\"alert(1)\">Hi<script>steal()</script></p><a href=\"javascript:steal()\">win</a>\
                <img src=x onerror=alert(1)><iframe src=//evil></iframe><style>*{display:none}</style>\
                <svg onload=alert(1)>svg</svg><a href=\"https://ok.example\" onclick=\"x\">ok</a>";
    assert_eq!(md(html), "Hi\n\nwinsvg[ok](https://ok.example)");
}

// -- never panics, always tidy

/// A deterministic pseudo-random generator (xorshift), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<!--",
    "-->",
    "<!",
    "<?",
    "&",
    ";",
    "#",
    "x",
    "X",
    "=",
    "\"",
    "'",
    " ",
    "\n",
    "\t",
    "\r",
    "\0",
    "a",
    "b",
    "i",
    "p",
    "li",
    "ul",
    "ol",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "s",
    "blockquote",
    "script",
    "style",
    "template",
    "plaintext",
    "xmp",
    "textarea",
    "iframe",
    "h2",
    "hr",
    "br",
    "img",
    "alt",
    "src",
    "href",
    "title",
    "start",
    "http://x.org/",
    "https://",
    "www.x.org/",
    "javascript:",
    "mailto:a@b",
    "amp",
    "lt",
    "nbsp",
    "copy",
    "#128512",
    "#x1F600",
    "#x",
    "#0",
    "*",
    "_",
    "`",
    "~",
    "[",
    "]",
    "(",
    ")",
    "\\",
    "1.",
    "-",
    "+",
    "!",
    "|",
    "😀",
    "é",
    "\u{A0}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{10FFFF}",
];

fn soup(rng: &mut Rng, pieces: usize) -> String {
    (0..rng.below(pieces))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

/// Whether the character at byte `i` is backslash-escaped.
fn escaped(s: &str, i: usize) -> bool {
    s[..i].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

#[test]
fn random_tag_soup_never_panics_and_comes_out_tidy() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..20_000 {
        let html = soup(&mut rng, 80);
        let out = md(&html);
        assert_eq!(out, out.trim(), "{html:?}");
        assert_eq!(out, md(&html), "not deterministic: {html:?}");
        if !out.contains("```") {
            assert!(!out.contains("\n\n\n"), "{html:?} -> {out:?}");
            assert!(
                !out.lines().any(|l| l.ends_with(' ') || l.ends_with('\t')),
                "{html:?} -> {out:?}"
            );
        }
        // No `javascript:` link: every `<javascript` is escaped, and `](javascript` has no `[` to open it.
        for paragraph in out.to_ascii_lowercase().split("\n\n") {
            for (i, _) in paragraph.match_indices("<javascript") {
                assert!(escaped(paragraph, i), "{html:?} -> {out:?}");
            }
            if let Some(i) = paragraph.find("](javascript") {
                let opener = paragraph[..i].match_indices('[').any(|(k, _)| !escaped(paragraph, k));
                assert!(!opener, "{html:?} -> {out:?}");
            }
        }
    }
}

#[test]
fn random_unicode_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5_000 {
        let len = rng.below(64);
        let html: String = (0..len)
            .map(|_| match rng.below(4) {
                0 => ['<', '>', '&', '/', ';', '#', '"', '=', '*', '`'][rng.below(10)],
                1 => char::from_u32(rng.below(0x80) as u32).unwrap_or('?'),
                _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{FFFD}'),
            })
            .collect();
        let out = md(&html);
        assert_eq!(out, out.trim_end(), "{html:?}");
    }
}

#[test]
fn pathological_inputs_finish() {
    // Each of these once took quadratic time in a naive tokenizer or writer.
    let n = 20_000;
    for html in [
        "<a x='".repeat(n),
        "<a x=\"<b>\" ".repeat(n / 4),
        "<".repeat(n),
        "&".repeat(n),
        format!("&#{};", "9".repeat(n)),
        "<br>".repeat(n),
        "<b>x</b>".repeat(n / 4),
        "<em>a</em><strong>b</strong>".repeat(n / 4),
        "a<em>.</em>".repeat(n / 4),
        "<!--".repeat(n),
        "<script>".repeat(n),
        "<b><i><s>".repeat(n / 3),
        "<b>a<i>b<s>c</b>d</i>e</s>".repeat(n / 8),
        "http://x.org/a ".repeat(n / 4),
    ] {
        let started = std::time::Instant::now();
        let _ = md(&html);
        assert!(started.elapsed().as_secs() < 20, "{}…", &html[..20]);
    }
}
