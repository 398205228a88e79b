"""Hand labels for fixtures/labelled: every (user atom, definer atom, edge type) a careful
reader finds in those files. Written from the code, not from the tool's output.

Conventions (the same as the graph's): an import statement depends on what it imports (for a
module import, on the names used through it); a call is function_call; an annotation or base
class is type; a read of module/class state is variable; a write or mutation of module state,
or any use of instance state created by another method, is data_flow.
"""

from __future__ import annotations

IM, FC, VA, TY, DF = "import", "function_call", "variable", "type", "data_flow"

_SHOP = {
    ("shop/__init__.py:exports", "shop/cart.py:Cart", IM),
    ("shop/__init__.py:exports", "shop/catalog.py:Product", IM),
    ("shop/__init__.py:exports", "shop/catalog.py:find_product", IM),
    ("shop/config.py:register_discount", "shop/config.py:discounts", DF),
    ("shop/catalog.py:imports", "shop/config.py:settings", IM),
    ("shop/catalog.py:Product.label", "shop/config.py:settings", VA),
    ("shop/catalog.py:Product.label", "shop/catalog.py:Product", VA),
    ("shop/catalog.py:CATALOG", "shop/catalog.py:Product", TY),
    ("shop/catalog.py:add_product", "shop/catalog.py:Product", TY),
    ("shop/catalog.py:add_product", "shop/catalog.py:CATALOG", DF),
    ("shop/catalog.py:find_product", "shop/catalog.py:Product", TY),
    ("shop/catalog.py:find_product", "shop/catalog.py:CATALOG", VA),
    ("shop/catalog.py:cheapest", "shop/catalog.py:Product", TY),
    ("shop/catalog.py:restock", "shop/inventory.py:adjust", IM),
    ("shop/catalog.py:restock", "shop/inventory.py:adjust", FC),
    ("shop/inventory.py:adjust", "shop/inventory.py:STOCK", DF),
    ("shop/inventory.py:adjust", "shop/inventory.py:STOCK", VA),
    ("shop/inventory.py:adjust", "shop/inventory.py:last", DF),
    ("shop/cart.py:imports", "shop/catalog.py:Product", IM),
    ("shop/cart.py:imports", "shop/config.py:discounts", IM),
    ("shop/cart.py:imports", "shop/config.py:settings", IM),
    ("shop/cart.py:imports", "shop/catalog.py:find_product", IM),
    ("shop/cart.py:LineItem", "shop/catalog.py:Product", TY),
    ("shop/cart.py:LineItem.total", "shop/cart.py:LineItem", DF),
    ("shop/cart.py:Cart", "shop/cart.py:LineItem", TY),
    ("shop/cart.py:Cart.add", "shop/catalog.py:find_product", FC),
    ("shop/cart.py:Cart.add", "shop/cart.py:LineItem", TY),
    ("shop/cart.py:Cart.add", "shop/cart.py:LineItem", FC),
    ("shop/cart.py:Cart.add", "shop/cart.py:Cart", DF),
    ("shop/cart.py:Cart.add", "shop/cart.py:imports", VA),
    ("shop/cart.py:Cart.subtotal", "shop/cart.py:Cart", DF),
    ("shop/cart.py:Cart.total", "shop/config.py:discounts", VA),
    ("shop/cart.py:Cart.total", "shop/cart.py:Cart", DF),
    ("shop/cart.py:Cart.total", "shop/cart.py:Cart.subtotal", FC),
    ("shop/cart.py:Cart.total", "shop/config.py:settings", VA),
    ("shop/cart.py:Cart.__iter__", "shop/cart.py:LineItem", TY),
    ("shop/cart.py:Cart.__iter__", "shop/cart.py:Cart", DF),
    ("shop/errors.py:CheckoutError", "shop/errors.py:ShopError", TY),
    ("shop/checkout.py:imports", "shop/cart.py:Cart", IM),
    ("shop/checkout.py:imports", "shop/errors.py:CheckoutError", IM),
    ("shop/checkout.py:imports", "shop/payments.py:PaymentGateway", IM),
    ("shop/checkout.py:Receipt", "shop/cart.py:Cart", TY),
    ("shop/checkout.py:checkout", "shop/cart.py:Cart", TY),
    ("shop/checkout.py:checkout", "shop/payments.py:PaymentGateway", TY),
    ("shop/checkout.py:checkout", "shop/checkout.py:Receipt", TY),
    ("shop/checkout.py:checkout", "shop/checkout.py:Receipt", FC),
    ("shop/checkout.py:checkout", "shop/errors.py:CheckoutError", FC),
    ("shop/payments.py:imports", "shop/checkout.py:Receipt", IM),
    ("shop/payments.py:PaymentGateway", "shop/checkout.py:Receipt", TY),
    ("shop/api.py:imports", "shop/payments.py:FakeGateway", IM),
    ("shop/api.py:imports", "shop/cart.py:Cart", IM),
    ("shop/api.py:imports", "shop/checkout.py:checkout", IM),
    ("shop/api.py:imports", "shop/catalog.py:add_product", IM),
    ("shop/api.py:imports", "shop/catalog.py:Product", IM),
    ("shop/api.py:buy", "shop/cart.py:Cart", FC),
    ("shop/api.py:buy", "shop/checkout.py:checkout", FC),
    ("shop/api.py:buy", "shop/payments.py:FakeGateway", FC),
    ("shop/api.py:seed", "shop/catalog.py:add_product", FC),
    ("shop/api.py:seed", "shop/catalog.py:Product", FC),
    # Through the type of a parameter, local or attribute ("inferred"):
    ("shop/cart.py:LineItem.total", "shop/catalog.py:Product", VA),  # self.product.price_cents
    ("shop/cart.py:Cart.subtotal", "shop/cart.py:LineItem.total", FC),  # item of list[LineItem]
    ("shop/checkout.py:Receipt", "shop/cart.py:LineItem.total", FC),  # item of iter(cart)
    ("shop/checkout.py:Receipt", "shop/catalog.py:Product", VA),  # item.product.sku
    ("shop/checkout.py:checkout", "shop/cart.py:Cart.total", FC),  # cart: Cart
    ("shop/checkout.py:checkout", "shop/payments.py:PaymentGateway", FC),  # gateway.charge
    ("shop/api.py:buy", "shop/cart.py:Cart.add", FC),  # cart = cart_mod.Cart()
    ("shop/api.py:buy", "shop/checkout.py:Receipt", DF),  # receipt.charged
    ("shop/catalog.py:add_product", "shop/catalog.py:Product", VA),  # product.sku
}

_TODO = {
    ("src/types.ts:Todo", "src/types.ts:Id", TY),
    ("src/util/ids.ts:nextId", "src/util/ids.ts:counter", DF),
    ("src/util/ids.ts:nextId", "src/util/ids.ts:counter", VA),
    ("src/store.ts:imports", "src/types.ts:Id", IM),
    ("src/store.ts:imports", "src/types.ts:Todo", IM),
    ("src/store.ts:imports", "src/types.ts:Filter", IM),
    ("src/store.ts:imports", "src/util/ids.ts:nextId", IM),
    ("src/store.ts:TodoStore", "src/types.ts:Todo", TY),
    ("src/store.ts:TodoStore", "src/types.ts:Id", TY),
    ("src/store.ts:TodoStore.add", "src/types.ts:Todo", TY),
    ("src/store.ts:TodoStore.add", "src/util/ids.ts:nextId", FC),
    ("src/store.ts:TodoStore.add", "src/store.ts:TodoStore", DF),
    ("src/store.ts:TodoStore.list", "src/types.ts:Filter", TY),
    ("src/store.ts:TodoStore.list", "src/types.ts:Filter", VA),
    ("src/store.ts:TodoStore.list", "src/types.ts:Todo", TY),
    ("src/store.ts:TodoStore.list", "src/store.ts:TodoStore", VA),
    ("src/store.ts:TodoStore.toggle", "src/types.ts:Id", TY),
    ("src/store.ts:TodoStore.toggle", "src/store.ts:TodoStore", VA),
    ("src/format.js:line", "src/format.js:pad", FC),
    ("src/render.ts:imports", "src/types.ts:Todo", IM),
    ("src/render.ts:imports", "src/store.ts:TodoStore", IM),
    ("src/render.ts:imports", "src/format.js:line", IM),
    ("src/render.ts:renderTodo", "src/types.ts:Todo", TY),
    ("src/render.ts:renderTodo", "src/format.js:line", FC),
    ("src/render.ts:renderAll", "src/store.ts:TodoStore", TY),
    ("src/render.ts:renderAll", "src/types.ts:Todo", TY),
    ("src/index.ts:exports", "src/store.ts:TodoStore", IM),
    ("src/index.ts:exports", "src/render.ts:renderAll", IM),
    ("src/index.ts:exports", "src/types.ts:Filter", IM),
    ("src/index.ts:exports", "src/types.ts:Todo", IM),
    ("src/index.ts:main", "src/store.ts:TodoStore", IM),
    ("src/index.ts:main", "src/render.ts:renderAll", IM),
    ("src/index.ts:main", "src/store.ts:TodoStore", FC),
    ("src/index.ts:main", "src/render.ts:renderAll", FC),
    ("src/app.tsx:imports", "src/types.ts:Filter", IM),
    ("src/app.tsx:imports", "src/types.ts:Todo", IM),
    ("src/app.tsx:imports", "src/store.ts:TodoStore", IM),
    ("src/app.tsx:TodoItem", "src/types.ts:Todo", TY),
    ("src/app.tsx:App", "src/store.ts:TodoStore", TY),
    ("src/app.tsx:App", "src/types.ts:Filter", VA),
    ("src/app.tsx:App", "src/app.tsx:TodoItem", FC),
    # Through the type of a parameter or local ("inferred"):
    ("src/index.ts:main", "src/store.ts:TodoStore.add", FC),  # store = new Store()
    ("src/render.ts:renderAll", "src/store.ts:TodoStore.list", FC),  # s: store.TodoStore
    ("src/app.tsx:App", "src/store.ts:TodoStore.list", FC),  # { store }: { store: TodoStore }
}

# Harder, written later: decorators, properties, classmethods, super(), enums, inheritance,
# module imports through a package without __init__. Some labels need type inference that a
# static symbol table does not do (marked "inferred"); they are truth, so they stay.
_BILLING = {
    ("billing/money.py:DEFAULT_CURRENCY", "billing/money.py:Currency", VA),
    ("billing/money.py:Money", "billing/money.py:Currency", TY),
    ("billing/money.py:Money", "billing/money.py:DEFAULT_CURRENCY", VA),
    ("billing/money.py:Money.__add__", "billing/money.py:Money", TY),
    ("billing/money.py:Money.__add__", "billing/money.py:Money", VA),
    ("billing/money.py:Money.__add__", "billing/money.py:Money", FC),
    ("billing/money.py:Money.__add__", "billing/money.py:CurrencyMismatch", FC),
    ("billing/money.py:Money.zero", "billing/money.py:Currency", TY),
    ("billing/money.py:Money.zero", "billing/money.py:DEFAULT_CURRENCY", VA),
    ("billing/money.py:Money.zero", "billing/money.py:Money", TY),
    ("billing/money.py:Money.zero", "billing/money.py:Money", FC),  # cls(...)
    ("billing/money.py:CurrencyMismatch", "billing/money.py:Currency", TY),
    ("billing/ledger.py:imports", "billing/money.py:Currency", IM),
    ("billing/ledger.py:imports", "billing/money.py:Money", IM),
    ("billing/ledger.py:retry", "billing/ledger.py:imports", VA),
    ("billing/ledger.py:Entry", "billing/money.py:Money", TY),
    ("billing/ledger.py:Entry.as_json", "billing/ledger.py:Entry", DF),
    ("billing/ledger.py:Ledger", "billing/ledger.py:Entry", TY),
    ("billing/ledger.py:Ledger", "billing/money.py:Money", TY),
    ("billing/ledger.py:Ledger", "billing/money.py:Money.zero", VA),
    ("billing/ledger.py:Ledger.post", "billing/ledger.py:retry", FC),
    ("billing/ledger.py:Ledger.post", "billing/ledger.py:Entry", TY),
    ("billing/ledger.py:Ledger.post", "billing/ledger.py:Ledger", DF),
    ("billing/ledger.py:Ledger.total", "billing/money.py:Money", TY),
    ("billing/ledger.py:Ledger.total", "billing/ledger.py:Ledger", DF),
    ("billing/ledger.py:Ledger.total", "billing/money.py:Money.zero", FC),
    ("billing/ledger.py:Ledger.balances_in", "billing/money.py:Currency", TY),
    ("billing/ledger.py:Ledger.balances_in", "billing/money.py:Money", TY),
    ("billing/ledger.py:Ledger.balances_in", "billing/ledger.py:Ledger", DF),
    ("billing/ledger.py:Ledger.report", "billing/ledger.py:Entry.as_json", FC),  # inferred
    ("billing/ledger.py:Ledger.report", "billing/ledger.py:Ledger", DF),
    ("billing/ledger.py:Ledger.report", "billing/ledger.py:imports", VA),
    ("billing/ledger.py:Ledger.report", "billing/ledger.py:Ledger.total", FC),  # property
    ("billing/invoices.py:imports", "billing/ledger.py:Entry", IM),
    ("billing/invoices.py:imports", "billing/ledger.py:Ledger", IM),
    ("billing/invoices.py:imports", "billing/money.py:Money", IM),
    ("billing/invoices.py:imports", "billing/ledger.py:imports", IM),  # ledger_mod.logger
    ("billing/invoices.py:Document", "billing/ledger.py:Entry", TY),
    ("billing/invoices.py:Document.post_to", "billing/ledger.py:Ledger", TY),
    ("billing/invoices.py:Document.post_to", "billing/invoices.py:Document", FC),
    ("billing/invoices.py:Document.post_to", "billing/invoices.py:Document", VA),
    ("billing/invoices.py:Document.post_to", "billing/invoices.py:Document", DF),
    ("billing/invoices.py:Document.post_to", "billing/ledger.py:Ledger.post", FC),  # inferred
    ("billing/invoices.py:Document.post_to", "billing/ledger.py:imports", VA),
    ("billing/invoices.py:Invoice", "billing/invoices.py:Document", TY),
    ("billing/invoices.py:Invoice", "billing/money.py:Money", TY),
    ("billing/invoices.py:Invoice", "billing/invoices.py:Document", FC),  # super().__init__
    ("billing/invoices.py:Invoice.lines", "billing/ledger.py:Entry", TY),
    ("billing/invoices.py:Invoice.lines", "billing/ledger.py:Entry", FC),
    ("billing/invoices.py:Invoice.lines", "billing/money.py:Money", FC),
    ("billing/invoices.py:Invoice.lines", "billing/invoices.py:imports", VA),
    ("billing/invoices.py:Invoice.lines", "billing/invoices.py:Invoice", DF),
    ("billing/invoices.py:Invoice.lines", "billing/money.py:Money", VA),  # self.net.amount
    ("billing/ledger.py:Entry.as_json", "billing/money.py:Money", VA),  # self.amount.amount
    ("billing/ledger.py:Ledger.post", "billing/ledger.py:Entry", DF),  # entry.account
}

_WEB = {
    ("web/domain.ts:Repository", "web/domain.ts:Entity", TY),
    ("web/domain.ts:User", "web/domain.ts:Entity", TY),
    ("web/domain.ts:User", "web/domain.ts:Role", TY),
    ("web/domain.ts:isAdmin", "web/domain.ts:User", TY),
    ("web/domain.ts:isAdmin", "web/domain.ts:Role", TY),
    ("web/domain.ts:isAdmin", "web/domain.ts:Role", VA),
    ("web/memory.ts:imports", "web/domain.ts:Entity", IM),
    ("web/memory.ts:imports", "web/domain.ts:Repository", IM),
    ("web/memory.ts:MemoryRepository", "web/domain.ts:Entity", TY),
    ("web/memory.ts:MemoryRepository", "web/domain.ts:Repository", TY),
    ("web/memory.ts:MemoryRepository.find", "web/memory.ts:MemoryRepository", VA),
    ("web/memory.ts:MemoryRepository.save", "web/memory.ts:MemoryRepository", DF),
    ("web/memory.ts:MemoryRepository.save", "web/memory.ts:MemoryRepository.log", FC),
    ("web/memory.ts:MemoryRepository.log", "web/memory.ts:MemoryRepository", DF),
    ("web/memory.ts:MemoryRepository.size", "web/memory.ts:MemoryRepository", VA),
    ("web/service.ts:imports", "web/domain.ts:isAdmin", IM),
    ("web/service.ts:imports", "web/domain.ts:Role", IM),
    ("web/service.ts:imports", "web/domain.ts:User", IM),
    ("web/service.ts:imports", "web/memory.ts:MemoryRepository", IM),
    ("web/service.ts:imports", "web/settings.ts:defaults", IM),
    ("web/service.ts:UserService", "web/memory.ts:MemoryRepository", FC),
    ("web/service.ts:UserService", "web/domain.ts:User", TY),
    ("web/service.ts:UserService.promote", "web/domain.ts:User", TY),
    ("web/service.ts:UserService.promote", "web/service.ts:UserService", DF),
    ("web/service.ts:UserService.promote", "web/service.ts:NotFound", FC),
    ("web/service.ts:UserService.promote", "web/domain.ts:isAdmin", FC),
    ("web/service.ts:UserService.promote", "web/domain.ts:Role", VA),
    ("web/service.ts:UserService.promote", "web/memory.ts:MemoryRepository.find", FC),  # inferred
    ("web/service.ts:UserService.promote", "web/memory.ts:MemoryRepository.save", FC),  # inferred
    ("web/service.ts:UserService.count", "web/service.ts:UserService", DF),
    ("web/service.ts:UserService.count", "web/settings.ts:defaults", VA),
    ("web/service.ts:UserService.count", "web/memory.ts:MemoryRepository.size", FC),  # inferred
    ("web/handlers.ts:imports", "web/service.ts:UserService", IM),
    ("web/handlers.ts:imports", "web/service.ts:NotFound", IM),
    ("web/handlers.ts:imports", "web/domain.ts:Role", IM),
    ("web/handlers.ts:imports", "web/service.ts:UserService", FC),
    ("web/handlers.ts:routes", "web/handlers.ts:imports", TY),
    ("web/handlers.ts:routes", "web/handlers.ts:imports", VA),
    ("web/handlers.ts:routes", "web/service.ts:UserService.promote", FC),  # inferred
    ("web/handlers.ts:routes", "web/service.ts:UserService.count", FC),  # inferred
    ("web/handlers.ts:dispatch", "web/handlers.ts:routes", VA),
    ("web/handlers.ts:dispatch", "web/service.ts:NotFound", VA),
    ("web/handlers.ts:dispatch", "web/domain.ts:Role", VA),
}

# CommonJS: functions written inside the exported object literal (a method, a function
# expression, an arrow), each cut into its own atom, used through a namespace `require`.
_CLOCK = {
    ("src/clock.js:exports", "src/clock.js:pad2", FC),  # stamp()
    ("src/clock.js:time", "src/clock.js:pad2", FC),
    ("src/log.js:imports", "src/clock.js:exports", IM),  # clock.stamp
    ("src/log.js:imports", "src/clock.js:time", IM),  # clock.time
    ("src/log.js:imports", "src/clock.js:ago", IM),  # const { ago }
    ("src/log.js:entry", "src/clock.js:exports", FC),
    ("src/log.js:entry", "src/clock.js:time", FC),
    ("src/log.js:since", "src/clock.js:ago", FC),
    ("src/log.js:exports", "src/log.js:entry", VA),
    ("src/log.js:exports", "src/log.js:since", VA),
}

EXPECTED_PYTHON = frozenset(_SHOP | _BILLING)
EXPECTED_TYPESCRIPT = frozenset(_TODO | _WEB | _CLOCK)
EXPECTED = EXPECTED_PYTHON | EXPECTED_TYPESCRIPT
