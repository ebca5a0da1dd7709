"""The demo: the agencies and declarations of five seed articles (Indonesian news), then an
invented Zona Integritas lifecycle for them, one module per story, loaded by `loader`.

Everything beyond the articles' facts is marked `"demo": true`. May import: `keys`, `events`,
`registry.write`.
"""
