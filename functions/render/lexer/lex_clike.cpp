// One configurable lexer for the brace languages: C, C++, C#, Java, Kotlin, Go, Rust, Swift,
// JavaScript/TypeScript (+JSX/TSX) and the code part of PHP. They share comments, numbers,
// identifiers and operators; what differs is table data in a CLikeSpec plus a handful of string
// forms switched on by flags. Classes follow Pygments' lexers for each language where that reads
// well, with the name.function / name.class heuristics the renderer wants on top.
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

// A multi-character operator whose class differs from what its characters would get alone
// (Rust "->" is punctuation, Go ":=" is an operator although ':' alone is punctuation).
struct Seq {
  std::string_view text;
  TokenClass cls;
};

struct CLikeSpec {
  WordList keywords;             // Keyword
  WordList declarations;         // KeywordDeclaration
  WordList namespaces;           // KeywordNamespace
  WordList types;                // KeywordType
  WordList constants;            // KeywordConstant
  WordList builtins;             // NameBuiltin
  WordList operatorWords;        // OperatorWord
  WordList functionIntro;        // the next identifier followed by '(' or '<' is a function name
  WordList classIntro;           // the next identifier is a class name
  WordList stringPrefixes;       // identifiers that glue to a following quote (L"", u8"", b"")
  std::string_view punctuation;  // single characters classed Punctuation; other symbols Operator
  const Seq* seqs = nullptr;     // checked in order: longest first
  size_t seqCount = 0;
  bool preprocessor = false;  // '#' at line start runs to end of line (C, C++, C#)
  bool charLiterals = false;  // '' is a character, not a string
  bool singleQuoteStrings = false;
  bool nestedComments = false;    // /* /* */ */ (Rust, Swift, Kotlin)
  bool hashComments = false;      // PHP
  bool cppRawStrings = false;     // R"x(...)x"
  bool rust = false;              // r#""#, b"", lifetimes, name!, #[attr], types after ':'
  bool goRawStrings = false;      // `raw`
  bool templateLiterals = false;  // JS `a${b}`
  bool regexLiterals = false;     // JS /re/g
  bool jsx = false;
  bool csharpStrings = false;     // @"", $"{x}", """raw"""
  bool tripleQuoted = false;      // """...""" (Java text blocks, Kotlin, Swift)
  bool dollarTemplates = false;   // Kotlin "$x ${x}"
  bool swiftInterp = false;       // Swift "\(x)", #"raw"#
  bool phpVars = false;           // $name, "{$x}", ?> ends the code
  bool annotations = false;       // @Name (Java, Kotlin, TS, JS decorators, Swift attributes)
  bool declarationCalls = false;  // `Type name(` declares a function (C, C++, Java, C#)
  bool labels = false;            // `name:` at line start is a label, `case X:` a constant (C)
  bool typeCallBuiltin = false;   // Go: int(x) is a conversion, shown as a builtin
  bool csharpAttributes = false;  // [Attr] at line start
  bool escapesInStrings = true;
  // Derived by finish(): per-byte flags so symbol() avoids string searches on the hot path.
  bool isPunct[256] = {};
  bool startsSeq[256] = {};
  void finish() {
    for (char c : punctuation) isPunct[static_cast<unsigned char>(c)] = true;
    for (size_t k = 0; k < seqCount; ++k)
      startsSeq[static_cast<unsigned char>(seqs[k].text[0])] = true;
  }
};

// ---- word tables ------------------------------------------------------------------------------

// clang-format off
constexpr WordSet kCKeywords({"auto", "break", "case", "const", "continue", "default", "do", "else",
    "enum", "extern", "for", "goto", "if", "inline", "register", "restrict", "return", "sizeof",
    "static", "struct", "switch", "typedef", "union", "volatile", "while", "_Alignas", "_Alignof",
    "_Generic", "_Noreturn", "_Static_assert", "_Thread_local", "asm", "__asm__", "__attribute__",
    "__inline", "__restrict", "__volatile__", "alignas", "alignof", "static_assert", "thread_local",
    "typeof", "constexpr"});
constexpr WordSet kCppKeywords({"alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand",
    "bitor", "break", "case", "catch", "class", "co_await", "co_return", "co_yield", "compl",
    "concept", "const", "const_cast", "consteval", "constexpr", "constinit", "continue", "decltype",
    "default", "delete", "do", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
    "final", "for", "friend", "goto", "if", "import", "inline", "module", "mutable", "namespace",
    "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "override", "private",
    "protected", "public", "register", "reinterpret_cast", "requires", "restrict", "return",
    "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this",
    "thread_local", "throw", "try", "typedef", "typeid", "typename", "union", "using", "virtual",
    "volatile", "while", "xor", "xor_eq", "__attribute__", "__declspec", "__forceinline",
    "__inline", "__restrict", "_Pragma"});
constexpr WordSet kCTypes({"bool", "char", "double", "float", "int", "long", "short", "signed",
    "unsigned", "void", "_Bool", "_Complex", "_Atomic", "_BitInt", "__int128", "char8_t",
    "char16_t", "char32_t", "size_t", "ssize_t", "off_t", "wchar_t", "ptrdiff_t", "sig_atomic_t",
    "fpos_t", "clock_t", "time_t", "va_list", "jmp_buf", "FILE", "DIR", "div_t", "ldiv_t",
    "mbstate_t", "wctrans_t", "wint_t", "wctype_t", "int8_t", "int16_t", "int32_t", "int64_t",
    "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int_least8_t", "int_least16_t", "int_least32_t",
    "int_least64_t", "uint_least8_t", "uint_least16_t", "uint_least32_t", "uint_least64_t",
    "int_fast8_t", "int_fast16_t", "int_fast32_t", "int_fast64_t", "uint_fast8_t", "uint_fast16_t",
    "uint_fast32_t", "uint_fast64_t", "intptr_t", "uintptr_t", "intmax_t", "uintmax_t", "clockid_t",
    "cpu_set_t", "dev_t", "gid_t", "id_t", "ino_t", "key_t", "mode_t", "nfds_t", "pid_t", "rlim_t",
    "sig_t", "sighandler_t", "siginfo_t", "sigset_t", "socklen_t", "timer_t", "uid_t",
    "atomic_bool", "atomic_int", "atomic_uint", "atomic_long", "atomic_size_t"});
constexpr WordSet kCConstants({"true", "false", "NULL", "nullptr"});
constexpr WordSet kCIntroClass({"class", "struct", "union", "concept", "typename"});
constexpr WordSet kCIntroClassC({"struct", "union"});
constexpr WordSet kCppPrefixes({"L", "u", "U", "u8", "R", "LR", "uR", "UR", "u8R"});

constexpr WordSet kCsKeywords({"abstract", "as", "async", "await", "base", "break", "case", "catch",
    "checked", "class", "const", "continue", "default", "delegate", "do", "else", "enum", "event",
    "explicit", "extern", "finally", "fixed", "for", "foreach", "get", "goto", "if", "implicit",
    "in", "init", "interface", "internal", "is", "lock", "nameof", "new", "operator", "out",
    "override", "params", "partial", "private", "protected", "public", "readonly", "record", "ref",
    "return", "sealed", "set", "sizeof", "stackalloc", "static", "struct", "switch", "this",
    "throw", "try", "typeof", "unchecked", "unsafe", "value", "virtual", "void", "volatile", "when",
    "where", "while", "yield", "with", "global", "required", "file", "scoped", "add", "remove",
    "select", "from", "let", "orderby", "ascending", "descending", "join", "on", "equals", "into",
    "group", "by"});
constexpr WordSet kCsTypes({"bool", "byte", "char", "decimal", "double", "dynamic", "float", "int",
    "long", "object", "sbyte", "short", "string", "uint", "ulong", "ushort", "var", "nint",
    "nuint"});
constexpr WordSet kCsConstants({"true", "false", "null"});
constexpr WordSet kCsNamespaces({"using", "namespace"});
constexpr WordSet kCsIntroClass({"class", "struct", "interface", "enum", "record"});

constexpr WordSet kJavaKeywords({"assert", "break", "case", "catch", "continue", "do", "else",
    "finally", "for", "if", "goto", "instanceof", "new", "return", "switch", "this", "throw", "try",
    "while", "yield", "super", "var", "record", "sealed", "permits", "non-sealed", "when"});
constexpr WordSet kJavaDecl({"abstract", "const", "enum", "extends", "final", "implements",
    "native", "private", "protected", "public", "static", "strictfp", "synchronized", "throws",
    "transient", "volatile", "class", "interface", "default"});
constexpr WordSet kJavaTypes({"boolean", "byte", "char", "double", "float", "int", "long", "short",
    "void"});
constexpr WordSet kJavaConstants({"true", "false", "null"});
constexpr WordSet kJavaNamespaces({"import", "package"});
constexpr WordSet kJavaIntroClass({"class", "interface", "enum", "record"});

constexpr WordSet kKtKeywords({"as", "break", "by", "catch", "constructor", "continue", "do",
    "dynamic", "else", "finally", "for", "get", "if", "in", "init", "is", "return", "set", "super",
    "this", "throw", "try", "when", "where", "while", "it", "out", "field", "typeof", "reified",
    "crossinline", "noinline", "vararg", "tailrec", "external", "expect", "actual"});
constexpr WordSet kKtDecl({"abstract", "annotation", "class", "companion", "const", "data", "enum",
    "final", "fun", "infix", "inline", "inner", "interface", "internal", "lateinit", "object",
    "open", "operator", "override", "private", "protected", "public", "sealed", "suspend",
    "typealias", "val", "var", "value"});
constexpr WordSet kKtTypes({"Boolean", "Byte", "Char", "Double", "Float", "Int", "Long", "Short",
    "String", "Unit", "Any", "Nothing", "Array", "List", "Map", "Set", "MutableList", "MutableMap",
    "UByte", "UInt", "ULong", "UShort", "Number"});
constexpr WordSet kKtConstants({"true", "false", "null"});
constexpr WordSet kKtNamespaces({"import", "package"});
constexpr WordSet kKtBuiltins({"println", "print", "listOf", "mapOf", "setOf", "arrayOf",
    "mutableListOf", "mutableMapOf", "require", "check", "error", "lazy", "repeat", "TODO"});
constexpr WordSet kKtIntroFn({"fun"});
constexpr WordSet kKtIntroClass({"class", "interface", "object"});

constexpr WordSet kGoKeywords({"break", "case", "chan", "continue", "default", "defer", "else",
    "fallthrough", "for", "go", "goto", "if", "range", "return", "select", "switch"});
constexpr WordSet kGoDecl({"const", "func", "interface", "map", "struct", "type", "var"});
constexpr WordSet kGoNamespaces({"import", "package"});
constexpr WordSet kGoTypes({"any", "bool", "byte", "complex128", "complex64", "error", "float32",
    "float64", "int", "int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16",
    "uint32", "uint64", "uint8", "uintptr", "comparable"});
constexpr WordSet kGoConstants({"true", "false", "iota", "nil"});
constexpr WordSet kGoBuiltins({"append", "cap", "close", "complex", "copy", "delete", "imag", "len",
    "make", "new", "panic", "print", "println", "real", "recover", "min", "max", "clear"});
constexpr WordSet kGoIntroFn({"func"});

constexpr WordSet kRustKeywords({"as", "async", "await", "break", "continue", "crate", "dyn", "mut",
    "else", "enum", "extern", "for", "if", "impl", "in", "loop", "match", "move", "pub", "ref",
    "return", "static", "struct", "super", "trait", "type", "union", "unsafe", "where", "while",
    "yield", "fn", "mod", "use", "const", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "try"});
constexpr WordSet kRustDecl({"let"});
constexpr WordSet kRustTypes({"bool", "char", "f32", "f64", "i8", "i16", "i32", "i64", "i128",
    "isize", "u8", "u16", "u32", "u64", "u128", "usize", "str"});
constexpr WordSet kRustConstants({"true", "false"});
constexpr WordSet kRustBuiltins({"Self", "self", "Option", "Some", "None", "Result", "Ok", "Err",
    "String", "Vec", "Box", "Copy", "Clone", "Send", "Sized", "Sync", "Unpin", "Drop", "Fn",
    "FnMut", "FnOnce", "AsRef", "AsMut", "Into", "From", "Default", "Iterator", "Extend",
    "IntoIterator", "DoubleEndedIterator", "ExactSizeIterator", "PartialEq", "PartialOrd", "Eq",
    "Ord", "ToOwned", "ToString", "TryFrom", "TryInto", "FromIterator", "drop"});
constexpr WordSet kRustIntroFn({"fn"});
constexpr WordSet kRustIntroClass({"struct", "enum", "trait", "union", "type", "impl"});
constexpr WordSet kRustPrefixes({"b", "r", "br", "c", "cr", "rb"});

constexpr WordSet kSwiftKeywords({"as", "async", "await", "break", "case", "catch", "continue",
    "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "is", "repeat",
    "rethrows", "return", "switch", "throw", "throws", "try", "where", "while", "get", "set",
    "willSet", "didSet", "some", "inout", "super", "convenience", "dynamic", "final", "indirect",
    "lazy", "mutating", "nonmutating", "optional", "override", "required", "unowned", "weak",
    "open", "public", "private", "fileprivate", "internal", "static", "any"});
constexpr WordSet kSwiftDecl({"associatedtype", "class", "deinit", "enum", "extension", "func",
    "import", "init", "let", "operator", "protocol", "struct", "subscript", "typealias", "var",
    "actor"});
constexpr WordSet kSwiftConstants({"true", "false", "nil", "self", "Self"});
constexpr WordSet kSwiftBuiltins({"Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8",
    "UInt16", "UInt32", "UInt64", "Double", "Float", "Bool", "String", "Character", "Array",
    "Dictionary", "Set", "Optional", "Any", "AnyObject", "Void", "Never", "Error", "print",
    "debugPrint", "fatalError", "precondition", "assert", "min", "max", "abs", "zip", "stride",
    "Result"});
constexpr WordSet kSwiftIntroFn({"func"});
constexpr WordSet kSwiftIntroClass({"class", "struct", "enum", "protocol", "extension", "actor"});

constexpr WordSet kJsKeywords({"async", "await", "break", "case", "catch", "continue", "debugger",
    "default", "do", "else", "export", "extends", "finally", "for", "if", "import", "of", "return",
    "static", "super", "switch", "this", "throw", "try", "while", "yield", "from", "as",
    "constructor", "enum", "implements", "package", "private", "protected", "public", "interface"});
constexpr WordSet kJsDecl({"class", "const", "function", "let", "var", "with"});
constexpr WordSet kJsOpWords({"delete", "in", "instanceof", "new", "typeof", "void"});
constexpr WordSet kJsConstants({"true", "false", "null", "undefined", "NaN", "Infinity"});
// Pygments' list, plus console (shown as a builtin by the renderer).
constexpr WordSet kJsBuiltins({"Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array",
    "BigUint64Array", "Boolean", "DataView", "Date", "Error", "EvalError", "Float32Array",
    "Float64Array", "Function", "Int16Array", "Int32Array", "Int8Array", "Intl", "JSON", "Map",
    "Math", "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect",
    "RegExp", "Set", "String", "Symbol", "SyntaxError", "TypeError", "URIError", "Uint16Array",
    "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakSet", "console", "decodeURI",
    "decodeURIComponent", "document", "encodeURI", "encodeURIComponent", "eval", "globalThis",
    "global", "isFinite", "isNaN", "parseFloat", "parseInt", "window"});
constexpr WordSet kTsKeywords({"abstract", "async", "await", "break", "case", "catch", "continue",
    "debugger", "default", "do", "else", "export", "extends", "finally", "for", "if", "import",
    "of", "return", "static", "super", "switch", "this", "throw", "try", "while", "yield", "from",
    "as", "constructor", "implements", "package", "private", "protected", "public", "readonly",
    "declare", "type", "namespace", "keyof", "infer", "is", "asserts", "satisfies", "override",
    "accessor", "module", "global"});
constexpr WordSet kTsDecl({"class", "const", "function", "let", "var", "with", "interface",
    "enum"});
constexpr WordSet kTsTypes({"any", "boolean", "number", "string", "symbol", "unknown", "never",
    "object", "bigint"});
constexpr WordSet kJsIntroFn({"function"});
constexpr WordSet kJsIntroClass({"class"});
constexpr WordSet kTsIntroClass({"class", "interface", "enum", "type"});

constexpr WordSet kPhpKeywords({"abstract", "and", "array", "as", "break", "callable", "case",
    "catch", "clone", "const", "continue", "declare", "default", "do", "echo", "else", "elseif",
    "empty", "enddeclare", "endfor", "endforeach", "endif", "endswitch", "endwhile", "enum", "eval",
    "exit", "extends", "final", "finally", "fn", "for", "foreach", "function", "global", "goto",
    "if", "implements", "include", "include_once", "instanceof", "insteadof", "interface", "isset",
    "list", "match", "new", "or", "print", "private", "protected", "public", "readonly", "require",
    "require_once", "return", "static", "switch", "throw", "trait", "try", "unset", "use", "var",
    "while", "xor", "yield", "class", "namespace", "parent", "self"});
constexpr WordSet kPhpTypes({"int", "float", "bool", "string", "void", "mixed", "object",
    "iterable", "never"});
constexpr WordSet kPhpConstants({"true", "false", "null", "TRUE", "FALSE", "NULL"});
constexpr WordSet kPhpBuiltins({"count", "strlen", "array_map", "array_filter", "implode",
    "explode", "json_encode", "json_decode", "sprintf", "printf", "var_dump", "print_r", "in_array",
    "array_keys", "is_null", "str_replace", "substr", "strpos", "trim", "die"});
constexpr WordSet kPhpIntroFn({"function", "fn"});
constexpr WordSet kPhpIntroClass({"class", "interface", "trait", "enum"});
// clang-format on

constexpr Seq kCSeqs[] = {{"->", TC::Operator}};
constexpr Seq kRustSeqs[] = {
    {"::", TC::Punctuation}, {"->", TC::Punctuation}, {"..=", TC::Operator}, {"..", TC::Operator}};
constexpr Seq kJsSeqs[] = {{"=>", TC::Punctuation}, {"?.", TC::Operator}};
constexpr Seq kGoSeqs[] = {
    {"<<=", TC::Operator}, {">>=", TC::Operator}, {"&^=", TC::Operator}, {"...", TC::Operator},
    {"<<", TC::Operator},  {">>", TC::Operator},  {"<=", TC::Operator},  {">=", TC::Operator},
    {"&^", TC::Operator},  {"+=", TC::Operator},  {"-=", TC::Operator},  {"*=", TC::Operator},
    {"/=", TC::Operator},  {"%=", TC::Operator},  {"&=", TC::Operator},  {"|=", TC::Operator},
    {"&&", TC::Operator},  {"||", TC::Operator},  {"<-", TC::Operator},  {"++", TC::Operator},
    {"--", TC::Operator},  {"==", TC::Operator},  {"!=", TC::Operator},  {":=", TC::Operator},
};
constexpr Seq kSwiftSeqs[] = {{"->", TC::Punctuation}};
constexpr Seq kKotlinSeqs[] = {{"::", TC::Punctuation}};

template <size_t N>
constexpr size_t count(const Seq (&)[N]) {
  return N;
}

CLikeSpec makeSpec(Language lang) {
  CLikeSpec s;
  s.punctuation = "()[]{},;.";
  switch (lang) {
    case Language::C:
    case Language::Cpp:
      s.keywords = lang == Language::C ? kCKeywords.list() : kCppKeywords.list();
      s.types = kCTypes.list();
      s.constants = kCConstants.list();
      s.classIntro = lang == Language::C ? kCIntroClassC.list() : kCIntroClass.list();
      s.stringPrefixes = kCppPrefixes.list();
      s.seqs = kCSeqs, s.seqCount = count(kCSeqs);
      s.preprocessor = s.charLiterals = s.declarationCalls = s.labels = true;
      s.cppRawStrings = lang == Language::Cpp;
      break;
    case Language::CSharp:
      s.keywords = kCsKeywords.list();
      s.types = kCsTypes.list();
      s.constants = kCsConstants.list();
      s.namespaces = kCsNamespaces.list();
      s.classIntro = kCsIntroClass.list();
      s.preprocessor = s.charLiterals = s.declarationCalls = s.csharpStrings = true;
      s.csharpAttributes = true;
      break;
    case Language::Java:
      s.keywords = kJavaKeywords.list();
      s.declarations = kJavaDecl.list();
      s.types = kJavaTypes.list();
      s.constants = kJavaConstants.list();
      s.namespaces = kJavaNamespaces.list();
      s.classIntro = kJavaIntroClass.list();
      s.punctuation = "(){},;.";
      s.charLiterals = s.declarationCalls = s.annotations = s.tripleQuoted = true;
      break;
    case Language::Kotlin:
      s.keywords = kKtKeywords.list();
      s.declarations = kKtDecl.list();
      s.types = kKtTypes.list();
      s.constants = kKtConstants.list();
      s.namespaces = kKtNamespaces.list();
      s.builtins = kKtBuiltins.list();
      s.functionIntro = kKtIntroFn.list();
      s.classIntro = kKtIntroClass.list();
      s.punctuation = "()[]{},;.:";
      s.seqs = kKotlinSeqs, s.seqCount = count(kKotlinSeqs);
      s.charLiterals = s.annotations = s.tripleQuoted = s.dollarTemplates = true;
      s.nestedComments = true;
      break;
    case Language::Go:
      s.keywords = kGoKeywords.list();
      s.declarations = kGoDecl.list();
      s.namespaces = kGoNamespaces.list();
      s.types = kGoTypes.list();
      s.constants = kGoConstants.list();
      s.builtins = kGoBuiltins.list();
      s.functionIntro = kGoIntroFn.list();
      s.punctuation = "|^<>=!()[]{}.,;:~";
      s.seqs = kGoSeqs, s.seqCount = count(kGoSeqs);
      s.charLiterals = s.goRawStrings = s.typeCallBuiltin = true;
      s.escapesInStrings = false;
      break;
    case Language::Rust:
      s.keywords = kRustKeywords.list();
      s.declarations = kRustDecl.list();
      s.types = kRustTypes.list();
      s.constants = kRustConstants.list();
      s.builtins = kRustBuiltins.list();
      s.functionIntro = kRustIntroFn.list();
      s.classIntro = kRustIntroClass.list();
      s.stringPrefixes = kRustPrefixes.list();
      s.punctuation = "()[]{},;.:#";
      s.seqs = kRustSeqs, s.seqCount = count(kRustSeqs);
      s.rust = s.nestedComments = true;
      break;
    case Language::Swift:
      s.keywords = kSwiftKeywords.list();
      s.declarations = kSwiftDecl.list();
      s.constants = kSwiftConstants.list();
      s.builtins = kSwiftBuiltins.list();
      s.functionIntro = kSwiftIntroFn.list();
      s.classIntro = kSwiftIntroClass.list();
      s.punctuation = "()[]{},;.:=";
      s.seqs = kSwiftSeqs, s.seqCount = count(kSwiftSeqs);
      s.swiftInterp = s.tripleQuoted = s.annotations = s.nestedComments = true;
      break;
    case Language::Php:
      s.keywords = kPhpKeywords.list();
      s.types = kPhpTypes.list();
      s.constants = kPhpConstants.list();
      s.builtins = kPhpBuiltins.list();
      s.functionIntro = kPhpIntroFn.list();
      s.classIntro = kPhpIntroClass.list();
      s.seqs = kCSeqs, s.seqCount = count(kCSeqs);
      s.singleQuoteStrings = s.hashComments = s.phpVars = true;
      break;
    case Language::TypeScript:
    case Language::Tsx:
      s.keywords = kTsKeywords.list();
      s.declarations = kTsDecl.list();
      s.types = kTsTypes.list();
      s.operatorWords = kJsOpWords.list();
      s.constants = kJsConstants.list();
      s.builtins = kJsBuiltins.list();
      s.functionIntro = kJsIntroFn.list();
      s.classIntro = kTsIntroClass.list();
      s.seqs = kJsSeqs, s.seqCount = count(kJsSeqs);
      s.singleQuoteStrings = s.templateLiterals = s.regexLiterals = s.annotations = true;
      s.jsx = lang == Language::Tsx;
      s.escapesInStrings = false;
      break;
    default:  // JavaScript, JSX
      s.keywords = kJsKeywords.list();
      s.declarations = kJsDecl.list();
      s.operatorWords = kJsOpWords.list();
      s.constants = kJsConstants.list();
      s.builtins = kJsBuiltins.list();
      s.functionIntro = kJsIntroFn.list();
      s.classIntro = kJsIntroClass.list();
      s.seqs = kJsSeqs, s.seqCount = count(kJsSeqs);
      s.singleQuoteStrings = s.templateLiterals = s.regexLiterals = s.annotations = true;
      s.jsx = lang == Language::Jsx;
      s.escapesInStrings = false;
      break;
  }
  if (lang == Language::Jsx || lang == Language::Tsx) {
    // Function names stay plain names, as in Pygments' JSX/TSX lexers and the TypeScript table
    // (.ts files): React code looks the same in .jsx, .tsx and .ts. Plain JavaScript keeps them.
    s.functionIntro = {};
  }
  s.finish();
  return s;
}

// What the previous significant token was; decides regex-vs-division, JSX-vs-less-than and
// whether `name(` is a declaration.
enum class Prev : uint8_t {
  Start,     // nothing yet, or after ( [ { , ; = and other operators: an expression may begin
  Value,     // identifier, literal, ) ] }: a binary operator may follow
  TypeLike,  // a type name or identifier that can precede a declared name
  Keyword,   // a keyword after which an expression begins (return, typeof, case, ...)
  Dot,       // member access: the next word is a property, never a keyword
};

class CLikeLexer {
 public:
  CLikeLexer(Language lang, const CLikeSpec& spec, Sink& sink, std::string_view s)
      : lang_(lang), spec_(spec), sink_(sink), s_(s) {}

  // Lexes from `i` until an unbalanced `stop` (0: to the end); returns the stop's position.
  size_t run(size_t i, char stop);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  bool at(size_t i, char c) const { return i < s_.size() && s_[i] == c; }
  char ch(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  size_t lineComment(size_t i);
  size_t blockComment(size_t i);
  size_t preprocessor(size_t i);
  size_t ifZero(size_t i);
  size_t bracketed(size_t i, TokenClass cls);  // #[...] / [Attr]: balanced brackets
  size_t number(size_t i);
  size_t word(size_t i, bool lineStart);
  size_t quoted(size_t i, size_t bodyStart, char quote, TokenClass cls, bool escapes,
                bool multiline);
  size_t interpolatedString(size_t i, size_t bodyStart, std::string_view close, bool escapes,
                            bool multiline);
  size_t embedded(size_t i, char stop, TokenClass delimCls);
  size_t templateLiteral(size_t i);
  size_t regex(size_t i);
  size_t cppRaw(size_t i, size_t quote);
  size_t rustRaw(size_t i, size_t afterPrefix);
  size_t charOrLifetime(size_t i);
  bool looksLikeJsxTag(size_t i) const;
  bool typeAliasFollows(size_t i) const;
  size_t phpHeredoc(size_t i);
  size_t jsxElement(size_t i);
  size_t jsxTag(size_t i, bool& selfClosing, bool& closing);
  size_t symbol(size_t i);
  bool regexAllowed() const { return prev_ == Prev::Start || prev_ == Prev::Keyword; }
  size_t nextNonSpace(size_t i) const {
    while (i < s_.size() && isBlank(s_[i])) ++i;
    return i;
  }

  Language lang_;
  const CLikeSpec& spec_;
  Sink& sink_;
  std::string_view s_;
  Prev prev_ = Prev::Start;
  bool lineStart_ = true;
  bool expectFunction_ = false;
  bool expectClass_ = false;
  bool expectType_ = false;  // Rust: after ':' or '->' the next name is a type
  bool caseValue_ = false;   // C: between `case` and its ':'
  // TypeScript annotations: in `name: Type` / `name?: Type` the type is keyword.type (Pygments).
  bool afterName_ = false;
  bool expectTsType_ = false;
  int classAngle_ = 0;  // depth of <...> between `impl` and the implemented type's name
  // C/C++ declarations are recognised only outside function bodies, as Pygments does: inside a
  // body `Foo bar(x);` is far more often a call or a constructor than a prototype.
  bool pendingBody_ = false;
  int braceDepth_ = 0;
  int bodyDepth_ = -1;  // brace depth at which the current function body opened, or -1
  // Between `namespace` and its '{': `namespace std _GLIBCXX_VISIBILITY(default) {` looks like a
  // function definition but opens a namespace, inside which declarations are still recognised.
  bool inNamespaceHead_ = false;
};

size_t CLikeLexer::run(size_t i, char stop) {
  const size_t n = s_.size();
  int depth = 0;
  char open = stop == '}' ? '{' : stop == ')' ? '(' : '\0';
  while (i < n) {
    unsigned char c = s_[i];
    if (isSpace(c)) {
      size_t e = i;
      while (e < n && isSpace(s_[e])) {
        if (s_[e] == '\n') lineStart_ = true;
        ++e;
      }
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    bool wasLineStart = lineStart_;
    lineStart_ = false;
    if (stop != '\0') {
      if (c == static_cast<unsigned char>(stop)) {
        if (depth == 0) return i;
        --depth;
      } else if (c == static_cast<unsigned char>(open)) {
        ++depth;
      }
    }
    if (spec_.phpVars && c == '?' && at(i + 1, '>')) return i;
    if (c == '/' && at(i + 1, '/')) {
      i = lineComment(i);
      lineStart_ = true;
      continue;
    }
    if (c == '/' && at(i + 1, '*')) {
      i = blockComment(i);
      continue;
    }
    if (c == '#') {
      if (spec_.preprocessor && wasLineStart) {
        i = preprocessor(i);
        lineStart_ = true;
        continue;
      }
      if ((spec_.rust || spec_.phpVars) && (at(i + 1, '[') || (at(i + 1, '!') && at(i + 2, '[')))) {
        i = bracketed(i, TC::CommentPreproc);
        continue;
      }
      if (spec_.hashComments) {
        i = lineComment(i);
        lineStart_ = true;
        continue;
      }
      if (spec_.rust && at(i + 1, '!') && i == 0) {  // shebang
        i = lineComment(i);
        continue;
      }
      if (spec_.swiftInterp && (at(i + 1, '"') || at(i + 1, '#'))) {
        // Swift raw string #"..."#: count the hashes, the body ends at "###.
        size_t h = i;
        while (h < n && s_[h] == '#') ++h;
        if (at(h, '"')) {
          std::string_view hashes = s_.substr(i, h - i);
          size_t e = h + 1;
          while (e < n) {
            if (s_[e] == '"' && startsWith(s_, e + 1, hashes)) {
              e += 1 + hashes.size();
              break;
            }
            ++e;
          }
          emit(TC::String, i, std::min(e, n));
          i = std::min(e, n);
          prev_ = Prev::Value;
          continue;
        }
      }
      if (!spec_.rust && startsIdent(s_, i + 1)) {  // JS #private, Swift #if / #selector
        size_t e = scanIdent(s_, i + 1);
        emit(spec_.swiftInterp ? TC::CommentPreproc : TC::Name, i, e);
        i = e;
        prev_ = Prev::Value;
        continue;
      }
    }
    if (spec_.csharpAttributes && c == '[' && wasLineStart) {
      i = bracketed(i, TC::NameAttribute);
      lineStart_ = true;
      continue;
    }
    if (isDigit(c) || (c == '.' && isDigit(ch(i + 1)))) {
      i = number(i);
      prev_ = Prev::Value;
      continue;
    }
    if (startsIdent(s_, i) || c == '$') {
      if (c == '$' && spec_.phpVars && startsIdent(s_, i + 1)) {
        size_t e = scanIdent(s_, i + 1);
        emit(TC::NameVariable, i, e);
        i = e;
        prev_ = Prev::Value;
        continue;
      }
      if (c == '$' && spec_.rust) {
        // macro_rules! metavariables and repetitions: $name, $(, $)
        size_t e = startsIdent(s_, i + 1) ? scanIdent(s_, i + 1) : i + 1;
        emit(TC::CommentPreproc, i, e);
        i = e;
        continue;
      }
      if (c == '$' && !spec_.regexLiterals && !spec_.csharpStrings) {
        i = symbol(i);
        continue;
      }
      if (c == '$' && spec_.csharpStrings) {
        // $"..{x}..", $@"..", @$"..".
        size_t q = i + 1;
        while (q < n && (s_[q] == '$' || s_[q] == '@')) ++q;
        if (at(q, '"')) {
          bool verbatim = s_.substr(i, q - i).find('@') != std::string_view::npos;
          i = interpolatedString(i, q + 1, "\"", !verbatim, verbatim);
          prev_ = Prev::Value;
          continue;
        }
        i = symbol(i);
        continue;
      }
      i = word(i, wasLineStart);
      continue;
    }
    if (c == '"') {
      if (spec_.tripleQuoted && startsWith(s_, i, "\"\"\"")) {
        if (spec_.dollarTemplates || spec_.swiftInterp) {
          i = interpolatedString(i, i + 3, "\"\"\"", spec_.swiftInterp, true);
        } else {
          size_t e = s_.find("\"\"\"", i + 3);
          e = e == std::string_view::npos ? n : e + 3;
          emit(TC::String, i, e);
          i = e;
        }
      } else if (spec_.csharpStrings && startsWith(s_, i, "\"\"\"")) {
        size_t q = i;
        while (q < n && s_[q] == '"') ++q;
        std::string_view quotes = s_.substr(i, q - i);
        size_t e = s_.find(quotes, q);
        e = e == std::string_view::npos ? n : e + quotes.size();
        emit(TC::String, i, e);
        i = e;
      } else if (spec_.dollarTemplates || spec_.swiftInterp || spec_.phpVars) {
        i = interpolatedString(i, i + 1, "\"", true, spec_.phpVars);
      } else {
        i = quoted(i, i + 1, '"', TC::String, spec_.escapesInStrings, spec_.rust);
      }
      prev_ = Prev::Value;
      continue;
    }
    if (c == '\'') {
      if (spec_.singleQuoteStrings) {
        i = quoted(i, i + 1, '\'', TC::String, !spec_.phpVars && spec_.escapesInStrings,
                   spec_.phpVars);
        prev_ = Prev::Value;
      } else if (spec_.charLiterals || spec_.rust) {
        i = charOrLifetime(i);
      } else {
        i = symbol(i);
      }
      continue;
    }
    if (c == '`') {
      if (spec_.templateLiterals) {
        i = templateLiteral(i);
        prev_ = Prev::Value;
        continue;
      }
      if (spec_.goRawStrings || spec_.phpVars || spec_.swiftInterp || lang_ == Language::Kotlin) {
        // Go raw strings; backtick-quoted identifiers elsewhere (only within one line).
        size_t e = s_.find('`', i + 1);
        if (!spec_.goRawStrings && (e == std::string_view::npos ||
                                    s_.substr(i, e - i).find('\n') != std::string_view::npos)) {
          i = symbol(i);
          continue;
        }
        e = e == std::string_view::npos ? n : e + 1;
        emit(spec_.goRawStrings ? TC::String : TC::Name, i, e);
        i = e;
        prev_ = Prev::Value;
        continue;
      }
    }
    if (c == '@') {
      if (spec_.csharpStrings && at(i + 1, '"')) {
        i = quoted(i, i + 2, '"', TC::String, false, true);
        prev_ = Prev::Value;
        continue;
      }
      if (spec_.csharpStrings && at(i + 1, '$') && at(i + 2, '"')) {
        i = interpolatedString(i, i + 3, "\"", false, true);
        prev_ = Prev::Value;
        continue;
      }
      if (spec_.annotations && startsIdent(s_, i + 1)) {
        size_t e = scanIdent(s_, i + 1, lang_ == Language::Swift ? "" : ".");
        emit(TC::NameDecorator, i, e);
        i = e;
        prev_ = Prev::Start;
        continue;
      }
    }
    if (c == '<' && spec_.phpVars && startsWith(s_, i, "<<<")) {
      size_t e = phpHeredoc(i);
      if (e != i) {
        i = e;
        prev_ = Prev::Value;
        continue;
      }
    }
    if (c == '/' && spec_.regexLiterals && regexAllowed()) {
      size_t e = regex(i);
      if (e != i) {
        i = e;
        prev_ = Prev::Value;
        continue;
      }
    }
    if (c == '<' && spec_.jsx && regexAllowed() && looksLikeJsxTag(i)) {
      i = jsxElement(i);
      prev_ = Prev::Value;
      continue;
    }
    i = symbol(i);
  }
  return n;
}

size_t CLikeLexer::lineComment(size_t i) {
  size_t e = lineEnd(s_, i);
  if (spec_.phpVars) {
    // PHP: a line comment ends before ?>.
    size_t close = s_.substr(0, e).find("?>", i);
    if (close != std::string_view::npos) e = close;
  }
  std::string_view t = s_.substr(i, e - i);
  bool doc = (startsWith(t, 0, "///") && !startsWith(t, 0, "////")) || startsWith(t, 0, "//!");
  emit(doc && t[0] == '/' ? TC::CommentDoc : TC::Comment, i, e);
  return e;
}

size_t CLikeLexer::blockComment(size_t i) {
  const size_t n = s_.size();
  bool doc =
      (startsWith(s_, i, "/**") && !startsWith(s_, i, "/**/") && !startsWith(s_, i, "/***")) ||
      (spec_.rust && startsWith(s_, i, "/*!"));
  size_t e = i + 2;
  int depth = 1;
  while (e < n) {
    if (s_[e] == '*' && e + 1 < n && s_[e + 1] == '/') {
      e += 2;
      if (--depth == 0 || !spec_.nestedComments) break;
      continue;
    }
    if (spec_.nestedComments && s_[e] == '/' && e + 1 < n && s_[e + 1] == '*') {
      ++depth;
      e += 2;
      continue;
    }
    ++e;
  }
  if (e > n) e = n;
  emit(doc ? TC::CommentDoc : TC::Comment, i, e);
  return e;
}

size_t CLikeLexer::preprocessor(size_t i) {
  const size_t n = s_.size();
  size_t d = skipBlank(s_, i + 1);
  if (startsWith(s_, d, "if") && d + 2 < n && isBlank(s_[d + 2])) {
    size_t z = skipBlank(s_, d + 2);
    if (at(z, '0') && (z + 1 >= n || !isAsciiIdentChar(s_[z + 1]))) return ifZero(i);
  }
  size_t e = i + 1;
  while (e < n && s_[e] != '\n') {
    if (s_[e] == '\\' && e + 1 < n && s_[e + 1] == '\n') {
      e += 2;
      continue;
    }
    if (s_[e] == '\\' && e + 2 < n && s_[e + 1] == '\r' && s_[e + 2] == '\n') {
      e += 3;
      continue;
    }
    if (s_[e] == '/' && e + 1 < n && s_[e + 1] == '*') {
      emit(TC::CommentPreproc, i, e);
      i = e = blockComment(e);
      continue;
    }
    if (s_[e] == '/' && e + 1 < n && s_[e + 1] == '/') break;
    ++e;
  }
  if (e > i && s_[e - 1] == '\r') --e;
  emit(TC::CommentPreproc, i, e);
  prev_ = Prev::Start;
  return e;
}

// `#if 0` ... `#endif` / `#else`: disabled code is shown as a comment (nested #if counted).
size_t CLikeLexer::ifZero(size_t i) {
  const size_t n = s_.size();
  size_t first = lineEnd(s_, i);
  emit(TC::CommentPreproc, i, first);
  size_t line = first < n ? first + 1 : n;
  int depth = 1;
  while (line < n) {
    size_t le = lineEnd(s_, line);
    size_t b = skipBlank(s_, line);
    if (at(b, '#')) {
      size_t d = skipBlank(s_, b + 1);
      if (startsWith(s_, d, "if")) {
        ++depth;
      } else if (startsWith(s_, d, "endif") || (depth == 1 && startsWith(s_, d, "el"))) {
        if (--depth == 0 || startsWith(s_, d, "el")) {
          emit(TC::Comment, first, line);
          emit(TC::Whitespace, line, b);
          emit(TC::CommentPreproc, b, le);
          return le;
        }
      }
    }
    line = le < n ? le + 1 : n;
  }
  emit(TC::Comment, first, n);
  return n;
}

size_t CLikeLexer::bracketed(size_t i, TokenClass cls) {
  const size_t n = s_.size();
  size_t e = s_[i] == '[' ? i : s_.find('[', i);
  size_t run = i;
  int depth = 0;
  while (e < n) {
    char c = s_[e];
    if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth == 0) {
        ++e;
        break;
      }
    } else if (c == '"') {
      // Strings inside attributes are strings; a ']' inside one does not close the attribute.
      emit(cls, run, e);
      size_t q = e + 1;
      while (q < n && s_[q] != '"' && s_[q] != '\n') q += (s_[q] == '\\' && q + 1 < n) ? 2 : 1;
      q = q < n && s_[q] == '"' ? q + 1 : std::min(q, n);
      emit(TC::String, e, q);
      run = e = q;
      continue;
    } else if (c == '\n' && cls == TC::NameAttribute) {
      break;
    }
    ++e;
  }
  if (e > n) e = n;
  emit(cls, run, e);
  prev_ = Prev::Start;
  return e;
}

size_t CLikeLexer::number(size_t i) {
  const size_t n = s_.size();
  size_t e = i;
  auto digits = [&](bool hex) {
    while (e < n) {
      unsigned char c = s_[e];
      if ((hex ? isHexDigit(c) : isDigit(c)) || c == '_') {
        ++e;
      } else if (c == '\'' && (lang_ == Language::Cpp || lang_ == Language::C) && e + 1 < n &&
                 (hex ? isHexDigit(s_[e + 1]) : isDigit(s_[e + 1]))) {
        ++e;  // C++14 digit separator
      } else {
        break;
      }
    }
  };
  bool hex = false;
  if (s_[e] == '0' && e + 1 < n && (s_[e + 1] == 'x' || s_[e + 1] == 'X')) {
    e += 2;
    hex = true;
    digits(true);
  } else if (s_[e] == '0' && e + 1 < n &&
             (s_[e + 1] == 'b' || s_[e + 1] == 'B' || s_[e + 1] == 'o' || s_[e + 1] == 'O')) {
    e += 2;
    digits(false);
  } else {
    digits(false);
  }
  // Fraction: "1.5", "1." but not "1..2" (ranges) or "1.method()".
  if (e < n && s_[e] == '.' && !(e + 1 < n && (s_[e + 1] == '.' || startsIdent(s_, e + 1)))) {
    ++e;
    digits(hex);
  }
  if (e < n &&
      ((!hex && (s_[e] == 'e' || s_[e] == 'E')) || (hex && (s_[e] == 'p' || s_[e] == 'P')))) {
    size_t x = e + 1;
    if (x < n && (s_[x] == '+' || s_[x] == '-')) ++x;
    if (x < n && isDigit(s_[x])) {
      e = x;
      digits(false);
    }
  }
  // Suffixes: 10u, 1.5f, 3i, 10n, 0u8, 100L.
  while (e < n && isAsciiIdentChar(s_[e])) ++e;
  emit(TC::Number, i, e);
  return e;
}

size_t CLikeLexer::word(size_t i, bool lineStart) {
  const size_t n = s_.size();
  size_t e = scanIdent(s_, i, spec_.regexLiterals || spec_.phpVars ? "$" : "");
  std::string_view w = s_.substr(i, e - i);
  // String prefixes glued to a quote: L"", u8R"()", b'x', r#""#.
  if (e < n && spec_.stringPrefixes.contains(w)) {
    char q = s_[e];
    if (spec_.cppRawStrings && w.back() == 'R' && q == '"') return cppRaw(i, e);
    if (spec_.rust && (w == "r" || w == "br" || w == "cr" || w == "rb") && (q == '"' || q == '#')) {
      size_t r = rustRaw(i, e);
      if (r != i) return r;
    }
    if (q == '"' && w.back() != 'R') {
      size_t r = quoted(i, e + 1, '"', TC::String, true, spec_.rust);
      prev_ = Prev::Value;
      return r;
    }
    if (q == '\'' && w != "r" && w.back() != 'R' && w != "c") {
      emit(TC::StringChar, i, e);  // the prefix merges with the literal that follows
      return charOrLifetime(e);
    }
  }
  bool afterDot = prev_ == Prev::Dot;
  size_t next = nextNonSpace(e);
  char nc = ch(next);
  TokenClass cls = TC::Name;
  Prev prev = Prev::Value;
  if (spec_.rust && nc == '!' && ch(next + 1) != '=' && next == e) {
    emit(TC::NameFunction, i, e + 1);  // macro invocation: println!
    prev_ = Prev::Start;
    return e + 1;
  }
  // C labels (`retry:` at line start) and `case NAME:` constants.
  if (spec_.labels && !afterDot) {
    if (lineStart && nc == ':' && ch(next + 1) != ':' && w != "default" && w != "public" &&
        w != "private" && w != "protected") {
      emit(TC::NameLabel, i, e);
      emit(TC::Whitespace, e, next);
      emit(TC::Punctuation, next, next + 1);
      prev_ = Prev::Start;
      return next + 1;
    }
    if (caseValue_ && !spec_.keywords.contains(w) && !spec_.constants.contains(w)) {
      emit(TC::NameConstant, i, e);
      prev_ = Prev::Value;
      return e;
    }
  }
  if (afterDot) {
    cls = spec_.phpVars ? TC::NameAttribute : TC::Name;  // PHP $obj->member (Pygments)
  } else if (expectClass_ && classAngle_ == 0 && !spec_.classIntro.contains(w) &&
             !spec_.keywords.contains(w) && !spec_.declarations.contains(w)) {
    cls = TC::NameClass;
    expectClass_ = false;
  } else if (spec_.constants.contains(w)) {
    cls = TC::KeywordConstant;
  } else if (spec_.types.contains(w)) {
    cls = TC::KeywordType;
    prev = Prev::TypeLike;
    if (spec_.typeCallBuiltin && nc == '(') cls = TC::NameBuiltin;
  } else if (spec_.operatorWords.contains(w)) {
    cls = TC::OperatorWord;
    prev = Prev::Keyword;
  } else if (spec_.namespaces.contains(w)) {
    cls = TC::KeywordNamespace;
    prev = Prev::Keyword;
  } else if (spec_.declarations.contains(w)) {
    cls = TC::KeywordDeclaration;
    prev = Prev::Keyword;
    if (spec_.declarationCalls) prev = Prev::TypeLike;  // Java modifiers: `public static foo(`
  } else if (spec_.keywords.contains(w)) {
    cls = TC::Keyword;
    prev = (w == "this" || w == "super" || w == "self") ? Prev::Value : Prev::Keyword;
    if (spec_.declarationCalls &&
        (w == "public" || w == "private" || w == "protected" || w == "static" || w == "final" ||
         w == "virtual" || w == "override" || w == "abstract" || w == "inline" || w == "explicit" ||
         w == "async" || w == "const" || w == "constexpr" || w == "extern" || w == "unsigned" ||
         w == "auto")) {
      prev = Prev::TypeLike;
    }
    if (spec_.labels && w == "case") caseValue_ = true;
    if (w == "namespace") inNamespaceHead_ = true;
    if (spec_.rust && expectType_) {
      // `&mut T`, `dyn Trait`, `impl Trait`: still waiting for the type name.
      emit(cls, i, e);
      prev_ = prev;
      return e;
    }
  } else if (spec_.builtins.contains(w)) {
    cls = TC::NameBuiltin;
  }
  if (spec_.rust && expectType_) {
    expectType_ = false;
    if (cls == TC::Name) cls = TC::NameClass;
  }
  if (expectTsType_) {
    expectTsType_ = false;
    if (cls == TC::Name || cls == TC::NameBuiltin) {
      emit(TC::KeywordType, i, e);
      prev_ = Prev::Value;
      return e;
    }
  }
  afterName_ = !afterDot && (cls == TC::Name || cls == TC::NameBuiltin) &&
               (lang_ == Language::TypeScript || lang_ == Language::Tsx);
  if (cls == TC::Name || cls == TC::NameBuiltin) {
    if (expectFunction_ && (nc == '(' || nc == '<' || (lang_ == Language::Go && nc == '['))) {
      cls = TC::NameFunction;
      expectFunction_ = false;
    } else if (cls == TC::Name && spec_.declarationCalls && nc == '(' && prev_ == Prev::TypeLike &&
               bodyDepth_ < 0 && !inNamespaceHead_) {
      cls = TC::NameFunction;
      pendingBody_ = true;
    }
    if (cls == TC::Name) prev = Prev::TypeLike;
  }
  if (!afterDot && cls != TC::Name && cls != TC::NameClass && cls != TC::NameFunction) {
    if (spec_.functionIntro.contains(w)) expectFunction_ = true;
    // Only when a name follows: `type: string` in a TS interface is a property called type.
    // Rust `impl<T> Name`: the generic parameters are skipped first.
    if (spec_.classIntro.contains(w) && (startsIdent(s_, next) || (spec_.rust && nc == '<')) &&
        (w != "type" || typeAliasFollows(next))) {
      expectClass_ = true;
      classAngle_ = 0;
    }
  }
  emit(cls, i, e);
  prev_ = prev;
  return e;
}

// A string with escapes; `bodyStart` is just past the opening quote (and any prefix).
size_t CLikeLexer::quoted(size_t i, size_t bodyStart, char quote, TokenClass cls, bool escapes,
                          bool multiline) {
  const size_t n = s_.size();
  size_t runStart = i;
  size_t e = bodyStart;
  bool verbatim = !escapes && multiline && spec_.csharpStrings;
  while (e < n) {
    char c = s_[e];
    if (c == quote) {
      if (verbatim && e + 1 < n && s_[e + 1] == quote) {  // C# "" inside @""
        e += 2;
        continue;
      }
      ++e;
      emit(cls, runStart, e);
      return e;
    }
    if (c == '\n' && !multiline) break;
    if (c == '\\' && e + 1 < n && !verbatim) {
      if (escapes) {
        emit(cls, runStart, e);
        size_t x = e + 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
        char k = s_[e + 1];
        if (k == 'x') {
          while (x < n && x < e + 4 && isHexDigit(s_[x])) ++x;
        } else if (k == 'u' || k == 'U') {
          if (x < n && s_[x] == '{') {
            size_t close = s_.substr(0, std::min(n, x + 10)).find('}', x);
            if (close != std::string_view::npos) x = close + 1;
          } else {
            size_t lim = e + (k == 'u' ? 6 : 10);
            while (x < n && x < lim && isHexDigit(s_[x])) ++x;
          }
        } else if (k >= '0' && k <= '7') {
          while (x < n && x < e + 4 && s_[x] >= '0' && s_[x] <= '7') ++x;
        } else if (k == '\r' && x < n && s_[x] == '\n') {
          ++x;
        }
        emit(TC::StringEscape, e, x);
        runStart = e = x;
        continue;
      }
      e += 2;
      continue;
    }
    ++e;
  }
  if (e > n) e = n;
  emit(cls, runStart, e);
  return e;
}

// Lexes embedded code after an interpolation opener until `stop`, emitting the closer with
// `delimCls`. Returns the position after the closer (or `i` when nested too deeply).
size_t CLikeLexer::embedded(size_t i, char stop, TokenClass delimCls) {
  DepthGuard guard(sink_);
  if (guard.tooDeep()) return i;
  CLikeLexer inner(lang_, spec_, sink_, s_);
  size_t e = inner.run(i, stop);
  if (e < s_.size() && s_[e] == stop) {
    emit(delimCls, e, e + 1);
    return e + 1;
  }
  return e;
}

// Kotlin "$x ${x}", Swift "\(x)", C# $"{x}", PHP "$x {$x}". `close` is the closing quote(s).
size_t CLikeLexer::interpolatedString(size_t i, size_t bodyStart, std::string_view close,
                                      bool escapes, bool multiline) {
  const size_t n = s_.size();
  size_t runStart = i;
  size_t e = bodyStart;
  bool csharp = spec_.csharpStrings;
  while (e < n) {
    char c = s_[e];
    if (startsWith(s_, e, close)) {
      if (csharp && !escapes && e + 1 < n && s_[e + 1] == '"') {  // "" in verbatim
        e += 2;
        continue;
      }
      e += close.size();
      emit(TC::String, runStart, e);
      return e;
    }
    if (c == '\n' && !multiline) break;
    if (c == '\\' && e + 1 < n && (escapes || spec_.phpVars)) {
      if (spec_.swiftInterp && s_[e + 1] == '(') {
        emit(TC::String, runStart, e);
        emit(TC::StringInterpol, e, e + 2);
        runStart = e = embedded(e + 2, ')', TC::StringInterpol);
        continue;
      }
      emit(TC::String, runStart, e);
      size_t x = e + 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
      emit(TC::StringEscape, e, x);
      runStart = e = x;
      continue;
    }
    if (spec_.dollarTemplates && c == '$') {
      if (e + 1 < n && s_[e + 1] == '{') {
        emit(TC::String, runStart, e);
        emit(TC::StringInterpol, e, e + 2);
        runStart = e = embedded(e + 2, '}', TC::StringInterpol);
        continue;
      }
      if (startsIdent(s_, e + 1)) {
        emit(TC::String, runStart, e);
        size_t x = scanIdent(s_, e + 1);
        emit(TC::StringInterpol, e, e + 1);
        emit(TC::Name, e + 1, x);
        runStart = e = x;
        continue;
      }
    }
    if (spec_.phpVars && c == '$' && startsIdent(s_, e + 1)) {
      emit(TC::String, runStart, e);
      size_t x = scanIdent(s_, e + 1);
      emit(TC::NameVariable, e, x);
      runStart = e = x;
      continue;
    }
    if (spec_.phpVars && c == '{' && e + 1 < n && s_[e + 1] == '$') {
      emit(TC::String, runStart, e);
      emit(TC::StringInterpol, e, e + 1);
      runStart = e = embedded(e + 1, '}', TC::StringInterpol);
      continue;
    }
    if (csharp && c == '{') {
      if (e + 1 < n && s_[e + 1] == '{') {
        e += 2;
        continue;
      }
      emit(TC::String, runStart, e);
      emit(TC::StringInterpol, e, e + 1);
      runStart = e = embedded(e + 1, '}', TC::StringInterpol);
      continue;
    }
    ++e;
  }
  if (e > n) e = n;
  emit(TC::String, runStart, e);
  return e;
}

size_t CLikeLexer::templateLiteral(size_t i) {
  const size_t n = s_.size();
  size_t runStart = i;
  size_t e = i + 1;
  while (e < n) {
    char c = s_[e];
    if (c == '`') {
      emit(TC::String, runStart, e + 1);
      return e + 1;
    }
    if (c == '\\' && e + 1 < n) {
      emit(TC::String, runStart, e);
      size_t x = e + 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
      emit(TC::StringEscape, e, x);
      runStart = e = x;
      continue;
    }
    if (c == '$' && e + 1 < n && s_[e + 1] == '{') {
      emit(TC::String, runStart, e);
      emit(TC::StringInterpol, e, e + 2);
      runStart = e = embedded(e + 2, '}', TC::StringInterpol);
      continue;
    }
    ++e;
  }
  emit(TC::String, runStart, n);
  return n;
}

// Returns `i` when this slash does not start a regex literal on this line.
size_t CLikeLexer::regex(size_t i) {
  const size_t n = s_.size();
  size_t e = i + 1;
  bool inClass = false;
  while (e < n) {
    char c = s_[e];
    if (c == '\n') return i;
    if (c == '\\') {
      e += 2;
      continue;
    }
    if (c == '[') inClass = true;
    if (c == ']') inClass = false;
    if (c == '/' && !inClass) break;
    ++e;
  }
  if (e >= n) return i;
  ++e;
  while (e < n && isAlpha(s_[e])) ++e;
  emit(TC::StringRegex, i, e);
  return e;
}

size_t CLikeLexer::cppRaw(size_t i, size_t quote) {
  const size_t n = s_.size();
  size_t d = quote + 1;
  while (d < n && d - quote <= 17 && s_[d] != '(' && s_[d] != ')' && s_[d] != '\\' &&
         !isSpace(s_[d]) && s_[d] != '"') {
    ++d;
  }
  if (d >= n || s_[d] != '(') {
    prev_ = Prev::Value;
    return quoted(i, quote + 1, '"', TC::String, true, false);
  }
  std::string_view delim = s_.substr(quote + 1, d - quote - 1);
  size_t e = d + 1;
  while (e < n) {
    e = s_.find(')', e);
    if (e == std::string_view::npos) {
      e = n;
      break;
    }
    if (startsWith(s_, e + 1, delim) && e + 1 + delim.size() < n &&
        s_[e + 1 + delim.size()] == '"') {
      e += delim.size() + 2;
      break;
    }
    ++e;
  }
  emit(TC::String, i, e);
  prev_ = Prev::Value;
  return e;
}

size_t CLikeLexer::rustRaw(size_t i, size_t afterPrefix) {
  const size_t n = s_.size();
  size_t h = afterPrefix;
  while (h < n && s_[h] == '#') ++h;
  if (h >= n || s_[h] != '"') return i;
  size_t hashes = h - afterPrefix;
  size_t e = h + 1;
  while (e < n) {
    if (s_[e] == '"') {
      size_t k = 0;
      while (k < hashes && e + 1 + k < n && s_[e + 1 + k] == '#') ++k;
      if (k == hashes) {
        e += 1 + hashes;
        break;
      }
    }
    ++e;
  }
  if (e > n) e = n;
  emit(TC::String, i, e);
  prev_ = Prev::Value;
  return e;
}

// A character literal (one token, escapes included, as Pygments shows it), a Rust lifetime or
// label ('a, 'static), or a stray quote.
size_t CLikeLexer::charOrLifetime(size_t i) {
  const size_t n = s_.size();
  size_t e = i + 1;
  if (e < n && s_[e] == '\\') {
    size_t close = e + 1;
    while (close < n && close < e + 16 && s_[close] != '\'' && s_[close] != '\n') ++close;
    if (close == e + 1 && close < n && s_[close] == '\'') {
      // '\'' : the escaped quote, then the closing one.
      close = close + 1 < n && s_[close + 1] == '\'' ? close + 1 : close;
    }
    if (close < n && s_[close] == '\'') {
      emit(TC::StringChar, i, close + 1);
      prev_ = Prev::Value;
      return close + 1;
    }
  } else if (e < n) {
    size_t len = std::max<size_t>(utf8Len(s_, e), 1);
    if (e + len < n && s_[e + len] == '\'') {
      emit(TC::StringChar, i, e + len + 1);
      prev_ = Prev::Value;
      return e + len + 1;
    }
    if (spec_.rust && startsIdent(s_, e)) {
      size_t x = scanIdent(s_, e);
      std::string_view name = s_.substr(e, x - e);
      emit(TC::Operator, i, e);
      emit(name == "static" || name == "_" ? TC::NameBuiltin : TC::NameAttribute, e, x);
      prev_ = Prev::Value;
      return x;
    }
    if (lang_ == Language::C || lang_ == Language::Cpp || lang_ == Language::Java ||
        lang_ == Language::CSharp) {
      // Multi-character constant 'abcd' or an unterminated one: to the quote or end of line.
      size_t close = e;
      while (close < n && s_[close] != '\'' && s_[close] != '\n') ++close;
      size_t end = close < n && s_[close] == '\'' ? close + 1 : close;
      emit(TC::StringChar, i, end);
      prev_ = Prev::Value;
      return end;
    }
  }
  return symbol(i);
}

// PHP heredoc <<<EOT / <<<"EOT" (with $var interpolation) and nowdoc <<<'EOT'. The body ends
// at a line whose first non-blank text is the marker (PHP 7.3 allows it indented). Returns `i`
// when this is not a heredoc opener.
size_t CLikeLexer::phpHeredoc(size_t i) {
  const size_t n = s_.size();
  size_t k = skipBlank(s_, i + 3);
  char q = ch(k);
  bool nowdoc = q == '\'';
  if (q == '\'' || q == '"') ++k;
  size_t d = scanIdent(s_, k);
  if (d == k) return i;
  std::string_view marker = s_.substr(k, d - k);
  if ((q == '\'' || q == '"') && at(d, q)) ++d;
  size_t le = lineEnd(s_, d);
  emit(TC::String, i, le);
  size_t run = le;
  size_t line = le < n ? le + 1 : n;
  while (line < n) {
    size_t b = skipBlank(s_, line);
    size_t e = lineEnd(s_, line);
    if (startsWith(s_, b, marker) &&
        (b + marker.size() >= n || !isAsciiIdentChar(s_[b + marker.size()]))) {
      emit(TC::String, run, b + marker.size());
      return b + marker.size();
    }
    for (size_t x = line; !nowdoc && x < e; ++x) {
      if (s_[x] == '$' && startsIdent(s_, x + 1)) {
        emit(TC::String, run, x);
        size_t v = scanIdent(s_, x + 1);
        emit(TC::NameVariable, x, v);
        run = v;
        x = v - 1;
      }
    }
    line = e < n ? e + 1 : n;
  }
  emit(TC::String, run, n);
  return n;
}

// TypeScript `type Name =` / `type Name<T> =` declares a type; `import {type Name}` does not.
bool CLikeLexer::typeAliasFollows(size_t i) const {
  size_t e = nextNonSpace(scanIdent(s_, i, "$"));
  return at(e, '=') || at(e, '<');
}

// Whether the '<' at `i` opens a JSX tag: a name (or '>' for a fragment), then only attributes
// up to '>' or '/>'. Rejects TSX generics such as `<T,>(x) => x` and comparisons, which would
// otherwise swallow the rest of the file as JSX text. The scan is bounded to stay linear.
bool CLikeLexer::looksLikeJsxTag(size_t i) const {
  const size_t n = s_.size();
  if (at(i + 1, '>')) return true;
  if (!startsIdent(s_, i + 1)) return false;
  size_t e = scanIdent(s_, i + 1, ".-:");
  const size_t limit = std::min(n, i + 2048);
  while (e < limit) {
    char c = s_[e];
    if (c == '>' || (c == '/' && at(e + 1, '>'))) return true;
    if (isSpace(c)) {
      ++e;
    } else if (startsIdent(s_, e)) {
      e = scanIdent(s_, e, "-:");
      size_t k = e;
      while (k < limit && isSpace(s_[k])) ++k;
      if (at(k, '=')) {
        k = skipSpace(s_, k + 1);
        if (!(at(k, '"') || at(k, '\'') || at(k, '{'))) return false;
        e = k;
      }
    } else if (c == '"' || c == '\'') {
      size_t close = s_.find(c, e + 1);
      if (close == std::string_view::npos || close >= limit) return true;
      e = close + 1;
    } else if (c == '{') {
      int depth = 0;
      while (e < limit) {
        if (s_[e] == '{') ++depth;
        if (s_[e] == '}' && --depth == 0) break;
        ++e;
      }
      ++e;
    } else {
      return false;
    }
  }
  return true;
}

// JSX: <Tag attr="x" {...spread} attr={expr}>children {expr} <Nested/></Tag>
size_t CLikeLexer::jsxElement(size_t i) {
  const size_t n = s_.size();
  int depth = 0;
  size_t e = i;
  while (e < n) {
    if (s_[e] == '<') {
      bool selfClosing = false, closing = false;
      e = jsxTag(e, selfClosing, closing);
      if (closing) {
        if (--depth <= 0) return e;
      } else if (!selfClosing) {
        ++depth;
      } else if (depth == 0) {
        return e;
      }
      continue;
    }
    if (depth == 0) return e;
    if (s_[e] == '{') {
      emit(TC::Punctuation, e, e + 1);
      size_t r = embedded(e + 1, '}', TC::Punctuation);
      if (r == e + 1) {  // too deep: treat the rest of the element as text
        emit(TC::Text, e + 1, n);
        return n;
      }
      e = r;
      continue;
    }
    size_t x = e;
    while (x < n && s_[x] != '<' && s_[x] != '{') ++x;
    // Children text: whitespace split out so wrapping treats it like other text.
    size_t k = e;
    while (k < x) {
      size_t w = k;
      if (isSpace(s_[k])) {
        while (w < x && isSpace(s_[w])) ++w;
        emit(TC::Whitespace, k, w);
      } else {
        while (w < x && !isSpace(s_[w])) ++w;
        emit(TC::Text, k, w);
      }
      k = w;
    }
    e = x;
  }
  return e;
}

size_t CLikeLexer::jsxTag(size_t i, bool& selfClosing, bool& closing) {
  const size_t n = s_.size();
  size_t e = i + 1;
  closing = e < n && s_[e] == '/';
  if (closing) ++e;
  emit(TC::Punctuation, i, e);
  size_t nameEnd = scanIdent(s_, e, ".-:");
  emit(TC::NameTag, e, nameEnd);
  e = nameEnd;
  while (e < n) {
    char c = s_[e];
    if (isSpace(c)) {
      size_t w = skipSpace(s_, e);
      emit(TC::Whitespace, e, w);
      e = w;
    } else if (c == '>') {
      emit(TC::Punctuation, e, e + 1);
      return e + 1;
    } else if (c == '/' && e + 1 < n && s_[e + 1] == '>') {
      emit(TC::Punctuation, e, e + 2);
      selfClosing = true;
      return e + 2;
    } else if (c == '/' && at(e + 1, '/')) {  // comments between attributes
      e = lineComment(e);
    } else if (c == '/' && at(e + 1, '*')) {
      e = blockComment(e);
    } else if (c == '{' && startsWith(s_, e + 1, "...") && startsIdent(s_, e + 4) &&
               at(scanIdent(s_, e + 4, "$"), '}')) {
      // {...props}: spread attributes, an attribute list (Pygments' JSX lexer says so too)
      size_t x = scanIdent(s_, e + 4, "$");
      emit(TC::Punctuation, e, e + 1);
      emit(TC::NameAttribute, e + 1, x);
      emit(TC::Punctuation, x, x + 1);
      e = x + 1;
    } else if (c == '{') {
      emit(TC::Punctuation, e, e + 1);
      size_t r = embedded(e + 1, '}', TC::Punctuation);
      if (r == e + 1) {
        emit(TC::Text, e + 1, n);
        return n;
      }
      e = r;
    } else if (c == '"' || c == '\'') {
      size_t close = s_.find(c, e + 1);
      close = close == std::string_view::npos ? n : close + 1;
      emit(TC::String, e, close);
      e = close;
    } else if (c == '=') {
      emit(TC::Operator, e, e + 1);
      ++e;
    } else if (startsIdent(s_, e)) {
      size_t x = scanIdent(s_, e, "-:");
      emit(TC::NameAttribute, e, x);
      e = x;
    } else if (c == '<') {
      return e;  // malformed: let the caller start a new tag
    } else {
      e = emitOther(sink_, s_, e);
    }
  }
  return e;
}

size_t CLikeLexer::symbol(size_t i) {
  unsigned char c = s_[i];
  for (size_t k = 0; spec_.startsSeq[c] && k < spec_.seqCount; ++k) {
    const Seq& q = spec_.seqs[k];
    if (startsWith(s_, i, q.text)) {
      emit(q.cls, i, i + q.text.size());
      if (spec_.rust) expectType_ = q.text == "->";
      // `->` is member access in C, C++ and PHP (a return-type arrow elsewhere).
      bool member = q.text == "->" &&
                    (lang_ == Language::C || lang_ == Language::Cpp || lang_ == Language::Php);
      prev_ = member ? Prev::Dot : Prev::Start;
      return i + q.text.size();
    }
  }
  if (c >= 0x80 || c < 0x20 || c == 0x7F) {
    prev_ = Prev::Start;
    return emitOther(sink_, s_, i);
  }
  TokenClass cls = spec_.isPunct[c] ? TC::Punctuation : TC::Operator;
  if (c == '\\' || c == '`' || c == '\'' || c == '"') cls = TC::Text;
  if (c == '\\' && spec_.phpVars) cls = TC::Name;  // namespace separator
  if (caseValue_ && c == ':' && !(i + 1 < s_.size() && s_[i + 1] == ':')) {
    cls = TC::Punctuation;
    caseValue_ = false;
  }
  emit(cls, i, i + 1);
  expectTsType_ = c == ':' && afterName_;
  if (expectClass_ && c == '<') ++classAngle_;
  if (expectClass_ && c == '>' && classAngle_ > 0) --classAngle_;
  afterName_ = afterName_ && c == '?';
  if (spec_.rust && c == ':') expectType_ = true;
  if (spec_.rust && c != '&' && c != ':') expectType_ = false;
  Prev before = prev_;
  if (c == ')' || c == ']' || c == '}') {
    prev_ = c == '}' ? Prev::Start : Prev::Value;
  } else if (c == '.') {
    prev_ = Prev::Dot;
  } else if ((c == '*' || c == '&') && !(c == '&' && at(i + 1, '&'))) {
    // `char *name(` and `Foo& name(` still declare: keep TypeLike, otherwise an operator
    // (`&&` always: `x && <p/>` is an expression, so JSX and regexes may follow).
    prev_ = prev_ == Prev::TypeLike ? Prev::TypeLike : Prev::Start;
  } else if (c == '>' && spec_.declarationCalls) {
    prev_ = Prev::TypeLike;  // `std::vector<int> name(`
  } else if (c == ':' && i + 1 < s_.size() && s_[i + 1] == ':' && before == Prev::TypeLike) {
    prev_ = Prev::TypeLike;  // `std::string name(`, `void Foo::bar(` (first colon)
  } else if (c == ':' && i > 0 && s_[i - 1] == ':' && before == Prev::TypeLike) {
    prev_ = Prev::TypeLike;
  } else {
    prev_ = Prev::Start;
  }
  if (c == '{') {
    ++braceDepth_;
    if (pendingBody_ && bodyDepth_ < 0 && !inNamespaceHead_) bodyDepth_ = braceDepth_;
    pendingBody_ = false;
    inNamespaceHead_ = false;
  } else if (c == '}') {
    if (braceDepth_ == bodyDepth_) bodyDepth_ = -1;
    if (braceDepth_ > 0) --braceDepth_;
  } else if (c == ';') {
    pendingBody_ = false;
    inNamespaceHead_ = false;
  }
  if (c == '{' || c == ';' || c == '=') {
    expectFunction_ = false;
    expectClass_ = false;
  }
  return i + 1;
}

}  // namespace

void lexCLike(Language lang, Sink& sink, std::string_view src, size_t pos) {
  CLikeSpec spec = makeSpec(lang);
  CLikeLexer lexer(lang, spec, sink, src);
  size_t e = lexer.run(pos, '\0');
  if (e < src.size()) lexPlain(sink, src, e);
}

// PHP: HTML outside <?php ... ?>, PHP code inside. A file without any opening tag is all code.
void lexPhp(Sink& sink, std::string_view src, size_t pos) {
  CLikeSpec spec = makeSpec(Language::Php);
  size_t open = src.find("<?", pos);
  if (open == std::string_view::npos) {
    CLikeLexer lexer(Language::Php, spec, sink, src);
    size_t e = pos;
    while (e < src.size()) {
      e = lexer.run(e, '\0');
      if (e < src.size()) {  // a stray ?>
        sink.add(TokenClass::CommentPreproc, e, std::min(e + 2, src.size()));
        e += 2;
      }
    }
    return;
  }
  size_t i = pos;
  while (i < src.size()) {
    open = src.find("<?", i);
    if (open == std::string_view::npos) open = src.size();
    if (open > i) lexHtml(sink, src.substr(0, open), i);
    if (open >= src.size()) break;
    size_t code = open + 2;
    if (startsWithNoCase(src, code, "php")) {
      code += 3;
    } else if (code < src.size() && src[code] == '=') {
      ++code;
    }
    sink.add(TokenClass::CommentPreproc, open, code);
    CLikeLexer lexer(Language::Php, spec, sink, src);
    size_t e = lexer.run(code, '\0');
    if (e >= src.size()) break;
    sink.add(TokenClass::CommentPreproc, e, e + 2);
    i = e + 2;
  }
}

}  // namespace render::lex
