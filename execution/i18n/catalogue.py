# ruff: noqa: E501  (a sentence stays on one line: Chinese characters count double)
"""Every sentence the assistant says to a customer, by code, in English, 简体 and 繁體.

A sentence is chosen by its code and filled with its parameters at the edge
(:func:`render`): the parameters are already formatted (amounts by
:func:`execution.assistant.texts.money`), so the catalogue never formats a number. Support
sees the code and parameters in the journal next to the exact text the customer was shown.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final

from execution.i18n.locales import LOCALES, Locale

# code → (English, 简体中文, 繁體中文)
MESSAGES: Final[dict[str, tuple[str, str, str]]] = {
    # --- replies to a message -------------------------------------------------------------
    "reply.dropped": (
        "OK, I dropped that request. Nothing was sent.",
        "好的，已撤回这个请求，没有发送任何订单。",
        "好的，已撤回這個請求，沒有發送任何訂單。",
    ),
    "reply.read_as": (
        'I read "{written}" as {meant}. ',
        "我把“{written}”理解为 {meant}。",
        "我把「{written}」理解為 {meant}。",
    ),
    "reply.plan_one": (
        "Here is the plan (1 step).",
        "这是执行计划（1 步）。",
        "這是執行計劃（1 步）。",
    ),
    "reply.plan_many": (
        "Here is the plan ({steps} steps).",
        "这是执行计划（共 {steps} 步）。",
        "這是執行計劃（共 {steps} 步）。",
    ),
    "reply.bracket_two": (
        "Here is the plan: {entry}, then sell what it buys {exits}, whichever comes first "
        "(the other is then cancelled).",
        "执行计划：{entry}，之后在{exits}时卖出所得，以先触发者为准（另一方随即取消）。",
        "執行計劃：{entry}，之後在{exits}時賣出所得，以先觸發者為準（另一方隨即取消）。",
    ),
    "reply.bracket_one": (
        "Here is the plan: {entry}, then sell what it buys {exits}.",
        "执行计划：{entry}，之后在{exits}时卖出所得。",
        "執行計劃：{entry}，之後在{exits}時賣出所得。",
    ),
    "bracket.take_profit": (
        "at {price} or above (take-profit)",
        "价格升至 {price} 或以上（止盈）",
        "價格升至 {price} 或以上（止賺）",
    ),
    "bracket.stop_loss": (
        "at {price} or below (stop-loss)",
        "价格跌至 {price} 或以下（止损）",
        "價格跌至 {price} 或以下（止蝕）",
    ),
    "bracket.or": (" or ", "或", "或"),
    "reply.confirm_each": (
        "Nothing is sent until you confirm each step.",
        "每一步都要您确认后才会发送。",
        "每一步都要您確認後才會發送。",
    ),
    "reply.blocked": (
        "It cannot be confirmed as it stands: see the warnings.",
        "目前无法确认：请查看提示。",
        "目前無法確認：請查看提示。",
    ),
    "reply.preview_failed": (
        "Nothing was sent: step {step} could not be previewed ({error}). "
        "Ask me to preview it again.",
        "没有发送任何订单：第 {step} 步无法预览（{error}）。请让我重新预览。",
        "沒有發送任何訂單：第 {step} 步無法預覽（{error}）。請讓我重新預覽。",
    ),
    "reply.planning_failed_other": (  # a reason the planner says in English only
        "I understood the request, but {reason}.",
        "我明白您的请求，但无法执行：{reason}。",
        "我明白您的請求，但無法執行：{reason}。",
    ),
    "reply.paused": (
        "I paused {title}: {reason}. Nothing more is sent until you preview it again and "
        "confirm, or stop it.",
        "我已暂停“{title}”：{reason}。在您重新预览并确认或停止它之前，不会再发送任何订单。",
        "我已暫停「{title}」：{reason}。在您重新預覽並確認或停止它之前，不會再發送任何訂單。",
    ),
    "reply.planning_failed": (
        "I understood the request, but {reason}.",
        "我明白您的请求，但{reason}。",
        "我明白您的請求，但{reason}。",
    ),
    "plan.not_listed": (
        "{asset} is not listed on this exchange, so it cannot be traded",
        "本交易所没有上架 {asset}，无法交易",
        "本交易所沒有上架 {asset}，無法交易",
    ),
    "plan.no_path": (
        "there is no way to convert {give} to {get} here",
        "这里无法把 {give} 兑换成 {get}",
        "這裡無法把 {give} 兌換成 {get}",
    ),
    "plan.no_market": (
        "{asset} cannot be traded against {quote} here",
        "这里不能用 {quote} 交易 {asset}",
        "這裡不能用 {quote} 交易 {asset}",
    ),
    "plan.share_over_all": (
        "{share}% is more than all of your holdings",
        "{share}% 超过了您的全部持仓",
        "{share}% 超過了您的全部持倉",
    ),
    "plan.nothing_held": (
        "you hold no {currency}",
        "您没有持有 {currency}",
        "您沒有持有 {currency}",
    ),
    "plan.tp_not_above_sl": (
        "the take-profit ({tp}) must be above the stop-loss ({sl})",
        "止盈价（{tp}）必须高于止损价（{sl}）",
        "止賺價（{tp}）必須高於止蝕價（{sl}）",
    ),
    "plan.exits_around_entry": (
        "the take-profit must be above and the stop-loss below the entry price ({entry})",
        "止盈价必须高于、止损价必须低于买入价（{entry}）",
        "止賺價必須高於、止蝕價必須低於買入價（{entry}）",
    ),
    "plan.exits_need_buy": (
        "a take-profit or stop-loss goes with a buy: it sells what the buy got",
        "止盈或止损要跟随买入订单：它卖出的是买入所得",
        "止賺或止蝕要跟隨買入訂單：它賣出的是買入所得",
    ),
    "plan.schedule_needs_count": (
        "say how many orders to place (at most {max}): a repeating order needs an end",
        "请说明一共下几笔（最多 {max} 笔）：定期订单需要有结束",
        "請說明一共落幾筆（最多 {max} 筆）：定期訂單需要有結束",
    ),
    "plan.schedule_too_many": (
        "a schedule places at most {max} orders; {count} asked",
        "定期订单最多 {max} 笔，您要求了 {count} 笔",
        "定期訂單最多 {max} 筆，您要求了 {count} 筆",
    ),
    "plan.convert_now": (
        "a convert is done now, at market: price conditions, schedules and take-profit / "
        "stop-loss are for buy and sell orders",
        "兑换会立即按市价完成：价格条件、定期和止盈止损只适用于买入和卖出订单",
        "兌換會即時按市價完成：價格條件、定期和止賺止蝕只適用於買入和賣出訂單",
    ),
    "plan.convert_same": (
        "a convert needs two different assets",
        "兑换需要两种不同的资产",
        "兌換需要兩種不同的資產",
    ),
    "plan.convert_limit": (
        "a convert is done at market; for a limit price place a limit order",
        "兑换按市价完成；如需指定价格，请下限价单",
        "兌換按市價完成；如需指定價格，請落限價單",
    ),
    "plan.convert_amount": (
        "say how much {give} to convert",
        "请说明要兑换多少 {give}",
        "請說明要兌換多少 {give}",
    ),
    "plan.schedule_start_day": (
        "a schedule cannot start on a later day yet: the first order would go when you "
        "confirm; say 'every week' to start now",
        "定期订单暂时不能从之后某天开始：第一笔会在您确认时下单；请说“每周”从现在开始",
        "定期訂單暫時不能由之後某天開始：第一筆會在您確認時落單；請說「每週」由現在開始",
    ),
    "plan.schedule_month_day": (
        "a schedule on a set day of each month is not available yet: the first order would "
        "go when you confirm; say 'every month' to start now",
        "暂不支持每月指定日期的定期订单：第一笔会在您确认时下单；请说“每月”从现在开始",
        "暫不支援每月指定日期的定期訂單：第一筆會在您確認時落單；請說「每月」由現在開始",
    ),
    "plan.nothing_to_cancel": (
        "you have no open orders, so there is nothing to cancel",
        "您没有挂单，没有可以取消的订单",
        "您沒有掛單，沒有可以取消的訂單",
    ),
    "plan.nothing_to_cancel_asset": (
        "you have no open {asset} orders, so there is nothing to cancel",
        "您没有 {asset} 挂单，没有可以取消的订单",
        "您沒有 {asset} 掛單，沒有可以取消的訂單",
    ),
    "plan.limit_needs_price": ("a limit order needs a price", "限价单需要价格", "限價單需要價格"),
    "plan.schedule_with_condition": (
        "a schedule cannot be combined with a price condition or a take-profit / stop-loss; "
        "ask for them separately",
        "定期订单不能同时设置价格条件或止盈止损，请分开提出",
        "定期訂單不能同時設定價格條件或止賺止蝕，請分開提出",
    ),
    # --- questions (a clarification, one sentence per missing field) ---------------------
    "ask.side": (
        "Do you want to buy or sell {asset}?",
        "您想买入还是卖出 {asset}？",
        "您想買入還是賣出 {asset}？",
    ),
    "ask.side_it": (
        "Do you want to buy or sell it?",
        "您想买入还是卖出？",
        "您想買入還是賣出？",
    ),
    "ask.asset": (
        "Which asset do you want to {verb}?",
        "您想{verb}哪种资产？",
        "您想{verb}哪種資產？",
    ),
    "ask.amount": (
        "How much {asset} do you want to {verb}?",
        "您想{verb}多少 {asset}？",
        "您想{verb}多少 {asset}？",
    ),
    "ask.amount_any": (
        "How much do you want to {verb}?",
        "您想{verb}多少？",
        "您想{verb}多少？",
    ),
    "ask.direction": (
        "Should it {verb} when the price rises to {level} or when it falls to {level}? "
        "Please say above or below.",
        "是在价格升至 {level} 时{verb}，还是跌至 {level} 时{verb}？请说明“高于”或“低于”。",
        "是在價格升至 {level} 時{verb}，還是跌至 {level} 時{verb}？請說明「高於」或「低於」。",
    ),
    "ask.price": (
        "At what price? Please give the limit or trigger price in numbers.",
        "请问价格是多少？请用数字给出限价或触发价。",
        "請問價格是多少？請用數字給出限價或觸發價。",
    ),
    "ask.limit_price": (
        "At what limit price? Please give it in numbers.",
        "限价是多少？请用数字回答。",
        "限價是多少？請用數字回答。",
    ),
    "ask.trigger_below": (
        "At what price, on the way down? Please give it in numbers.",
        "跌到什么价格时执行？请用数字回答。",
        "跌到甚麼價格時執行？請用數字回答。",
    ),
    "ask.trigger_above": (
        "At what price, on the way up? Please give it in numbers.",
        "升到什么价格时执行？请用数字回答。",
        "升到甚麼價格時執行？請用數字回答。",
    ),
    "ask.take_profit": (
        "At what price should it take profit? Please give it in numbers.",
        "止盈价是多少？请用数字回答。",
        "止賺價是多少？請用數字回答。",
    ),
    "ask.stop_loss": (
        "At what price should the stop-loss sell? Please give it in numbers.",
        "止损价是多少？请用数字回答。",
        "止蝕價是多少？請用數字回答。",
    ),
    "ask.price_of_what": (
        "Which asset's price would you like?",
        "您想查询哪种资产的价格？",
        "您想查詢哪種資產的價格？",
    ),
    "verb.buy": ("buy", "买入", "買入"),
    "verb.sell": ("sell", "卖出", "賣出"),
    "verb.convert": ("convert", "兑换", "兌換"),
    "verb.trade": ("trade", "交易", "交易"),
    # --- what the assistant will not do (Unsupported.reason) ----------------------------
    "refuse.withdrawn": (
        "Understood: you took that request back, so nothing will be done. "
        "Tell me what you would like instead.",
        "明白，您已撤回这个请求，不会执行任何操作。请告诉我您想做什么。",
        "明白，您已撤回這個請求，不會執行任何操作。請告訴我您想做甚麼。",
    ),
    "refuse.withdrawal": (
        "I can't move funds off the exchange. Withdrawals are done from the Withdraw page "
        "after your own security checks; I can help you buy, sell or convert.",
        "我无法把资金转出交易所。提币请在“提币”页面完成安全验证后操作；我可以帮您买入、卖出或兑换。",
        "我無法把資金轉出交易所。提幣請在「提幣」頁面完成安全驗證後操作；我可以幫您買入、賣出或兌換。",
    ),
    "refuse.transfer": (
        "I can't send or transfer funds to other people or addresses. I can help you buy, "
        "sell, convert, cancel orders or check prices and balances.",
        "我无法向他人或地址转账。我可以帮您买入、卖出、兑换、撤单，或查询价格和余额。",
        "我無法向他人或地址轉帳。我可以幫您買入、賣出、兌換、取消訂單，或查詢價格和結餘。",
    ),
    "refuse.leverage": (
        "Leverage, margin, futures and short selling aren't available here: I can only "
        "place spot orders with funds you hold.",
        "这里不提供杠杆、保证金、期货或卖空：我只能用您持有的资金下现货订单。",
        "這裡不提供槓桿、孖展、期貨或沽空：我只能用您持有的資金落現貨訂單。",
    ),
    "refuse.staking": (
        "Staking isn't something I can do. I can help with spot buy, sell and convert orders.",
        "我无法办理质押。我可以帮您下现货买入、卖出和兑换订单。",
        "我無法辦理質押。我可以幫您落現貨買入、賣出和兌換訂單。",
    ),
    "refuse.lending": (
        "Lending and borrowing aren't available. I can help with spot buy, sell and "
        "convert orders.",
        "这里不提供借贷。我可以帮您下现货买入、卖出和兑换订单。",
        "這裡不提供借貸。我可以幫您落現貨買入、賣出和兌換訂單。",
    ),
    "refuse.deposit": (
        "I can't take deposits; use the Deposit page. I can help you trade once your funds arrive.",
        "我无法办理充值，请使用“充值”页面。资金到账后我可以帮您交易。",
        "我無法辦理存款，請使用「存款」頁面。資金到帳後我可以幫您交易。",
    ),
    "refuse.options": (
        "Options aren't available here: I can only place spot orders.",
        "这里不提供期权：我只能下现货订单。",
        "這裡不提供期權：我只能落現貨訂單。",
    ),
    "refuse.negation": (
        "I won't place anything: that reads as something you don't want to do. Tell me the "
        'trade you do want, e.g. "buy 0.1 BTC".',
        "我不会下单：这听起来是您不想做的事。请告诉我您想要的交易，例如“买 0.1 BTC”。",
        "我不會落單：這聽起來是您不想做的事。請告訴我您想要的交易，例如「買 0.1 BTC」。",
    ),
    "refuse.advice": (
        "I can't give investment advice or predictions. I can place the trade you decide "
        "on, or show prices and balances.",
        "我不能提供投资建议或行情预测。我可以执行您自己决定的交易，或显示价格和余额。",
        "我不能提供投資建議或行情預測。我可以執行您自己決定的交易，或顯示價格和結餘。",
    ),
    "refuse.explain": (
        "A market order buys or sells now at the best prices available; a limit order only "
        "at your price or better; a stop (stop-loss) sends an order once the price reaches "
        'the level you set. Tell me the trade you want, e.g. "buy 0.1 BTC at 60,000".',
        "市价单以当前最优价格立即成交；限价单只按您的价格或更优价格成交；止损单在价格到达您设定的水平时才发出订单。"
        "请告诉我您想要的交易，例如“以 60,000 买 0.1 BTC”。",
        "市價單以當前最佳價格即時成交；限價單只按您的價格或更佳價格成交；止蝕單在價格到達您設定的水平時才發出訂單。"
        "請告訴我您想要的交易，例如「以 60,000 買 0.1 BTC」。",
    ),
    "refuse.injection": (
        'I can only act on trading requests such as "buy 0.1 BTC" or "sell half my ETH"; '
        "instructions to change how I work are ignored.",
        "我只处理交易请求，例如“买 0.1 BTC”或“卖掉一半 ETH”；要求改变我工作方式的指令会被忽略。",
        "我只處理交易請求，例如「買 0.1 BTC」或「賣出一半 ETH」；要求改變我運作方式的指令會被忽略。",
    ),
    "refuse.off_topic": (
        "I can help with trading on this exchange: buying, selling, converting, cancelling "
        "orders, and checking prices, balances and open orders.",
        "我可以帮您在本交易所交易：买入、卖出、兑换、撤单，以及查询价格、余额和挂单。",
        "我可以幫您在本交易所交易：買入、賣出、兌換、取消訂單，以及查詢價格、結餘和掛單。",
    ),
    "refuse.timing": (
        "I can't wait for a date or a time of day. I can place the order now, when the price "
        'reaches a level you name ("if BTC drops below 60k"), or on a repeating schedule '
        '("every Monday").',
        "我无法等到某个日期或时间再下单。我可以现在下单、在价格到达您指定的水平时下单（“BTC 跌破 6 万时”），"
        "或按固定周期下单（“每周一”）。",
        "我無法等到某個日期或時間再落單。我可以現在落單、在價格到達您指定的水平時落單（「BTC 跌穿 6 萬時」），"
        "或按固定週期落單（「每週一」）。",
    ),
    "refuse.how_to": (
        "I don't walk through the steps, I do them for you: tell me the trade, e.g. "
        '"buy 0.1 BTC", and I will show you a preview with the price and fees to confirm '
        "first.",
        "我不讲解操作步骤，而是替您执行：告诉我交易内容，例如“买 0.1 BTC”，我会先给您看包含价格和费用的预览，由您确认。",
        "我不講解操作步驟，而是替您執行：告訴我交易內容，例如「買 0.1 BTC」，我會先給您看包含價格和費用的預覽，由您確認。",
    ),
    "refuse.unclear_word": (
        "I couldn't read one of the words, and it could change the order. Please write the "
        "request again.",
        "有一个词我看不懂，它可能会改变订单。请重新输入请求。",
        "有一個詞我看不懂，它可能會改變訂單。請重新輸入請求。",
    ),
    "refuse.too_long": (
        "That message is too long for me to act on safely. Please state the trade in one "
        "short sentence.",
        "这条消息太长，我无法安全地处理。请用一句简短的话说明交易。",
        "這條訊息太長，我無法安全地處理。請用一句簡短的話說明交易。",
    ),
    "refuse.unplaced_number": (
        'I couldn\'t tell what "{number}" in your request was for, so I have not made the '
        "order. Please write the whole request again.",
        "我不确定您请求中的“{number}”指的是什么，所以没有下单。请重新完整输入请求。",
        "我不確定您請求中的「{number}」指的是甚麼，所以沒有落單。請重新完整輸入請求。",
    ),
    "refuse.llm_unavailable": (
        "I can't read requests right now. Nothing was sent; please try again in a moment.",
        "我暂时无法读取请求。没有发送任何订单，请稍后再试。",
        "我暫時無法讀取請求。沒有發送任何訂單，請稍後再試。",
    ),
    "refuse.other": (
        'Sorry, I couldn\'t understand that. Please rephrase the request, e.g. "buy 0.1 BTC".',
        "抱歉，我没有理解。请换个说法，例如“买 0.1 BTC”。",
        "抱歉，我沒有理解。請換個說法，例如「買 0.1 BTC」。",
    ),
    # --- answers to questions ----------------------------------------------------------
    "answer.price": (
        "{symbol}: bid {bid}, ask {ask}, last {last}.",
        "{symbol}：买价 {bid}，卖价 {ask}，最新价 {last}。",
        "{symbol}：買入價 {bid}，賣出價 {ask}，最新價 {last}。",
    ),
    "answer.price_failed": (
        "I could not get a price for {symbol} right now.",
        "暂时无法获取 {symbol} 的价格。",
        "暫時無法取得 {symbol} 的價格。",
    ),
    "answer.holding": (
        "You hold {amount} {asset}.",
        "您持有 {amount} {asset}。",
        "您持有 {amount} {asset}。",
    ),
    "answer.balances": ("Your balances: {list}.", "您的余额：{list}。", "您的結餘：{list}。"),
    "answer.no_balances": ("You hold nothing yet.", "您目前没有任何资产。", "您目前沒有任何資產。"),
    "answer.no_orders": (
        "You have no open orders and no standing orders.",
        "您没有挂单，也没有自动执行的指令。",
        "您沒有掛單，也沒有自動執行的指令。",
    ),
    "answer.open_orders": ("Open orders: {list}.", "挂单：{list}。", "掛單：{list}。"),
    "answer.open_order": (
        "{side} {amount} {asset} at {price} ({status})",
        "{side} {amount} {asset}，价格 {price}（{status}）",
        "{side} {amount} {asset}，價格 {price}（{status}）",
    ),
    "answer.standing_orders": (
        "Standing orders: {list}.",
        "自动执行的指令：{list}。",
        "自動執行的指令：{list}。",
    ),
    "answer.standing_order": (
        "{description} ({state}, {placed} of {total} orders placed)",
        "{description}（{state}，已下 {placed}/{total} 笔）",
        "{description}（{state}，已落 {placed}/{total} 筆）",
    ),
    "state.armed": ("active", "生效中", "生效中"),
    "state.blocked": ("blocked", "受阻", "受阻"),
    "state.paused": ("paused", "已暂停", "已暫停"),
    "state.awaiting_confirmation": ("awaiting your confirmation", "待您确认", "待您確認"),
    "side.buy": ("buy", "买入", "買入"),
    "side.sell": ("sell", "卖出", "賣出"),
    "order.market": ("market", "市价", "市價"),
    # --- notes on a plan or a preview (execution/i18n/plans.py) ----------------------------
    "note.default_quote": (
        "priced in {quote}, the default quote currency",
        "以默认计价货币 {quote} 计价",
        "以預設計價貨幣 {quote} 計價",
    ),
    "note.bridge": (
        "there is no {give}/{get} market: sell {give} for {bridge}, then buy {get} with the "
        "{bridge} received; the second order is previewed again, and confirmed separately, "
        "once the first has filled",
        "没有 {give}/{get} 市场：先把 {give} 卖成 {bridge}，再用所得 {bridge} 买入 {get}；第二笔订单在第一笔成交后重新预览，并需另行确认",
        "沒有 {give}/{get} 市場：先把 {give} 賣成 {bridge}，再用所得 {bridge} 買入 {get}；第二張訂單在第一張成交後重新預覽，並需另行確認",
    ),
    "note.month": ("a month is taken as 30 days", "一个月按 30 天计算", "一個月按 30 天計算"),
    "note.sliced": (
        "{total} in {count} orders of {each}",
        "共 {total}，分 {count} 笔，每笔 {each}",
        "共 {total}，分 {count} 筆，每筆 {each}",
    ),
    "note.oco": (
        "take-profit and stop-loss: the first to fire cancels the other",
        "止盈与止损：先触发的一方会取消另一方",
        "止賺與止蝕：先觸發的一方會取消另一方",
    ),
    "note.share": (
        "{share}% of your {held} {ccy} (balance when planned) = {amount} {ccy}",
        "您 {held} {ccy}（规划时的余额）的 {share}% = {amount} {ccy}",
        "您 {held} {ccy}（規劃時的結餘）的 {share}% = {amount} {ccy}",
    ),
    "note.tick": (
        "limit price rounded to the market's price step: {old} → {new}",
        "限价已按市场最小价位调整：{old} → {new}",
        "限價已按市場最小價位調整：{old} → {new}",
    ),
    "note.approx": (
        "{spend} {quote} ≈ {approx} {base} at the current order book",
        "按当前订单簿，{spend} {quote} ≈ {approx} {base}",
        "按當前訂單簿，{spend} {quote} ≈ {approx} {base}",
    ),
    "note.amount_step": (
        "amount rounded to the market's step: {old} → {new}",
        "数量已按市场最小单位调整：{old} → {new}",
        "數量已按市場最小單位調整：{old} → {new}",
    ),
    # --- a step as the card's title says it --------------------------------------------
    "step.order": (
        "{side} {size} {how} on {symbol}",
        "{side} {size}，{how}（{symbol}）",
        "{side} {size}，{how}（{symbol}）",
    ),
    "step.size_quote": (
        "{amount} {quote} of {base}",
        "{amount} {quote} 的 {base}",
        "{amount} {quote} 的 {base}",
    ),
    "step.size_from": (
        "{base} with the {quote} from step {step}",
        "用第 {step} 步所得的 {quote} 兑换 {base}",
        "用第 {step} 步所得的 {quote} 兌換 {base}",
    ),
    "step.at_market": ("at market", "市价", "市價"),
    "step.at_limit": ("limit {price}", "限价 {price}", "限價 {price}"),
    "step.exit": (
        "{name}: sell the {base} bought in step {step} {how}",
        "{name}：卖出第 {step} 步买入的 {base}，{how}",
        "{name}：賣出第 {step} 步買入的 {base}，{how}",
    ),
    "step.take_profit": ("Take-profit", "止盈", "止賺"),
    "step.stop_loss": ("Stop-loss", "止损", "止蝕"),
    # --- stopping a standing order from the chat -----------------------------------------
    "stop.shown": (
        "Stop: {description} — {placed} of {total} orders placed; orders already placed stay "
        "placed.",
        "停止：{description} — 已下 {placed}/{total} 笔；已下的订单保持不变。",
        "停止：{description} — 已落 {placed}/{total} 筆；已落的訂單保持不變。",
    ),
    "stop.plan": (
        "Here is what would stop. Nothing changes until you confirm.",
        "以下是将被停止的指令。您确认之前不会有任何改变。",
        "以下是將被停止的指令。您確認之前不會有任何改變。",
    ),
    "stop.none": (
        "You have no standing order like that.",
        "您没有这样的自动执行指令。",
        "您沒有這樣的自動執行指令。",
    ),
    "stop.none_but": (
        "You have no standing order like that. Your standing orders: {listed}.",
        "您没有这样的自动执行指令。您现有的指令：{listed}。",
        "您沒有這樣的自動執行指令。您現有的指令：{listed}。",
    ),
    "stop.which": (
        "Several standing orders match: {listed}. Which one should I stop? Say it with its "
        "asset or kind, or press Stop next to it under Orders & plans.",
        "有多个指令符合：{listed}。要停止哪一个？请说明资产或类型，或在“订单与计划”中点击它旁边的“停止”。",
        "有多個指令符合：{listed}。要停止哪一個？請說明資產或類型，或在「訂單與計劃」中按它旁邊的「停止」。",
    ),
    "stop.not_found": (
        "the standing order could not be found any more; nothing was changed",
        "找不到该指令，没有作任何改变",
        "找不到該指令，沒有作任何改變",
    ),
    # --- the sentence next to Confirm ----------------------------------------------------
    "confirm.buy": (
        "{title}: you pay ≈ {pay} {quote} and get ≈ {got} {got_ccy}.",
        "{title}：您支付约 {pay} {quote}，获得约 {got} {got_ccy}。",
        "{title}：您支付約 {pay} {quote}，獲得約 {got} {got_ccy}。",
    ),
    "confirm.sell": (
        "{title}: you sell {amount} {base} and get ≈ {got} {got_ccy}.",
        "{title}：您卖出 {amount} {base}，获得约 {got} {got_ccy}。",
        "{title}：您賣出 {amount} {base}，獲得約 {got} {got_ccy}。",
    ),
    "confirm.warning": (" Warning: {text}.", "注意：{text}。", "注意：{text}。"),
    "confirm.cancel": (
        "{title}: frees ≈ {amount} {currency}. Whatever has already filled stays filled.",
        "{title}：释放约 {amount} {currency}。已成交的部分保持不变。",
        "{title}：釋放約 {amount} {currency}。已成交的部分保持不變。",
    ),
    # --- a mandate's terms ---------------------------------------------------------------
    "terms.lead": ("Mandate: {parts}.", "自动执行条件：{parts}。", "自動執行條件：{parts}。"),
    "list.join": ("; ", "；", "；"),  # between the items of a list (terms, orders, balances)
    "terms.when_below": (
        "only once the price is at or below {price}",
        "仅在价格跌至 {price} 或以下时",
        "僅在價格跌至 {price} 或以下時",
    ),
    "terms.when_above": (
        "only once the price is at or above {price}",
        "仅在价格升至 {price} 或以上时",
        "僅在價格升至 {price} 或以上時",
    ),
    "terms.orders": ("at most {orders} orders", "最多 {orders} 笔订单", "最多 {orders} 筆訂單"),
    "terms.orders_every": (
        "at most {orders} orders, one every {every}",
        "最多 {orders} 笔订单，每 {every}一笔",
        "最多 {orders} 筆訂單，每 {every}一筆",
    ),
    "terms.band": (
        "each expected between {low} and {high}, else it pauses and asks you",
        "每笔预计成交价在 {low} 至 {high} 之间，否则暂停并询问您",
        "每筆預計成交價在 {low} 至 {high} 之間，否則暫停並詢問您",
    ),
    "terms.until": ("until {when}", "有效期至 {when}", "有效期至 {when}"),
    "unit.week": ("{n} week", "{n} 周", "{n} 週"),
    "unit.weeks": ("{n} weeks", "{n} 周", "{n} 週"),
    "unit.day": ("{n} day", "{n} 天", "{n} 天"),
    "unit.days": ("{n} days", "{n} 天", "{n} 天"),
    "unit.hour": ("{n} hour", "{n} 小时", "{n} 小時"),
    "unit.hours": ("{n} hours", "{n} 小时", "{n} 小時"),
    "unit.minute": ("{n} minute", "{n} 分钟", "{n} 分鐘"),
    "unit.minutes": ("{n} minutes", "{n} 分钟", "{n} 分鐘"),
    "unit.second": ("{n} second", "{n} 秒", "{n} 秒"),
    "unit.seconds": ("{n} seconds", "{n} 秒", "{n} 秒"),
    # --- warnings and refusals on a preview (PreviewWarning / Denial codes) ---------------
    "warn.thin_book": (
        "the visible order book holds only {filled} {base}: {rest} {base} might not fill",
        "当前可见的挂单只有 {filled} {base}：其余 {rest} {base} 可能无法成交",
        "當前可見的掛單只有 {filled} {base}：其餘 {rest} {base} 可能無法成交",
    ),
    "warn.insufficient_balance": (
        "this needs {need} {currency} but you have {have} {currency}: {short} {currency} short",
        "这需要 {need} {currency}，但您只有 {have} {currency}，还差 {short} {currency}",
        "這需要 {need} {currency}，但您只有 {have} {currency}，還差 {short} {currency}",
    ),
    "warn.nothing_held": (
        "you hold no {currency}",
        "您没有持有 {currency}",
        "您沒有持有 {currency}",
    ),
    "warn.amount_rounds_to_zero": (
        "the amount is smaller than the smallest step this market trades ({step} {base})",
        "数量小于该市场的最小交易单位（{step} {base}）",
        "數量小於該市場的最小交易單位（{step} {base}）",
    ),
    "warn.below_min_amount": (
        "this market's smallest order is {min} {base}; this one is {amount} {base}",
        "该市场的最小订单为 {min} {base}，本单为 {amount} {base}",
        "該市場的最小訂單為 {min} {base}，本單為 {amount} {base}",
    ),
    "warn.above_max_amount": (
        "this market takes at most {max} {base} in one order; this one is {amount} {base}",
        "该市场单笔最多 {max} {base}，本单为 {amount} {base}",
        "該市場單筆最多 {max} {base}，本單為 {amount} {base}",
    ),
    "warn.below_min_notional": (
        "this market's smallest order is worth {min} {quote}; this one is worth {value} {quote}",
        "该市场的最小订单金额为 {min} {quote}，本单金额为 {value} {quote}",
        "該市場的最小訂單金額為 {min} {quote}，本單金額為 {value} {quote}",
    ),
    "warn.partial_fill_risk": (
        "{rest} {base} would wait on the order book at {price} and fill only if the market "
        "comes to that price; it may fill in part or not at all",
        "{rest} {base} 将以 {price} 挂在订单簿上，只有市价到达该价格才会成交，可能部分成交或不成交",
        "{rest} {base} 將以 {price} 掛在訂單簿上，只有市價到達該價格才會成交，可能部分成交或不成交",
    ),
    "warn.outside_price_band": (
        "the exchange only accepts prices near the market now; this price is too far from it",
        "交易所只接受接近当前市价的价格，这个价格偏离太远",
        "交易所只接受接近當前市價的價格，這個價格偏離太遠",
    ),
    "warn.venue_rejects": (
        "the exchange would not accept this order as it stands ({what})",
        "交易所不会接受这张订单（{what}）",
        "交易所不會接受這張訂單（{what}）",
    ),
    "warn.venue_what.amount": ("its size", "数量不符合要求", "數量不符合要求"),
    "warn.venue_what.price": ("its price", "价格不符合要求", "價格不符合要求"),
    "warn.venue_what.value": ("its value", "金额不符合要求", "金額不符合要求"),
    "warn.venue_what.other": ("the market's rules", "不符合市场规则", "不符合市場規則"),
    "deny.ASSET_NOT_ALLOWED": (
        "{asset} cannot be traded here",
        "本平台不支持交易 {asset}",
        "本平台不支援交易 {asset}",
    ),
    "deny.NOTIONAL_EXCEEDS_MAX_PER_ORDER": (
        "orders are capped at {cap} {quote}; that is at most {max_amount} {base} now",
        "单笔订单上限为 {cap} {quote}，按现价最多 {max_amount} {base}",
        "單筆訂單上限為 {cap} {quote}，按現價最多 {max_amount} {base}",
    ),
    "deny.NOTIONAL_EXCEEDS_MAX_PER_DAY": (
        "you can trade up to {cap} {quote} a day; {left} {quote} of it is left today",
        "每日交易上限为 {cap} {quote}，今天还剩 {left} {quote}",
        "每日交易上限為 {cap} {quote}，今天還剩 {left} {quote}",
    ),
    "deny.PRICE_OUTSIDE_BAND_buy": (
        "a buy price can be at most {pct}% above the market, {bound} {quote} now",
        "买入价最多只能高于市价 {pct}%，即现在的 {bound} {quote}",
        "買入價最多只能高於市價 {pct}%，即現在的 {bound} {quote}",
    ),
    "deny.PRICE_OUTSIDE_BAND_sell": (
        "a sell price can be at most {pct}% below the market, {bound} {quote} now",
        "卖出价最多只能低于市价 {pct}%，即现在的 {bound} {quote}",
        "賣出價最多只能低於市價 {pct}%，即現在的 {bound} {quote}",
    ),
    "deny.SLIPPAGE_EXCEEDS_MAX": (
        "this would move the price {got}% against you; the most allowed is {max}%: try a "
        "smaller amount or a limit order",
        "这会使成交价偏离 {got}%，上限为 {max}%：请减少数量或改用限价单",
        "這會使成交價偏離 {got}%，上限為 {max}%：請減少數量或改用限價單",
    ),
    "deny.TIER_UNKNOWN": (
        "your account has no trading limits set yet; please contact support",
        "您的账户尚未设置交易额度，请联系客服",
        "您的帳戶尚未設定交易額度，請聯絡客服",
    ),
    # --- a confirmation refused (the chat page says the same, web/static/text.js) --------
    "refused.not_sent": ("Not sent: {text}", "未发送：{text}", "未發送：{text}"),
    "refused.token_expired": (
        "This quote expired. Nothing was sent. Refresh it to see the current price.",
        "报价已过期，未发送任何订单。请刷新以查看最新价格。",
        "報價已過期，未發送任何訂單。請刷新以查看最新價格。",
    ),
    "refused.token_reused": (
        "This step was already confirmed; it was not sent again.",
        "这一步已经确认过，没有重复发送。",
        "這一步已經確認過，沒有重複發送。",
    ),
    "refused.token_mismatch": (
        "This confirmation does not match the quote shown. Refresh the quote.",
        "这次确认与显示的报价不符，请刷新报价。",
        "這次確認與顯示的報價不符，請重新報價。",
    ),
    "refused.step_not_confirmable": (
        "This step can no longer be confirmed. Nothing was sent.",
        "这一步已无法确认，没有发送任何订单。",
        "這一步已無法確認，沒有發送任何訂單。",
    ),
    "refused.limit_exceeded": (
        "This would take you past your daily trading limit. Nothing was sent.",
        "这会超出您的每日交易额度，没有发送任何订单。",
        "這會超出您的每日交易額度，沒有發送任何訂單。",
    ),
    # A requote's reasons (execution/preview/requote.py Reason): what moved since the preview.
    "requote.fill_changed": (
        "the order would no longer fill the way it was previewed",
        "订单已不能按预览的方式成交",
        "訂單已不能按預覽的方式成交",
    ),
    "requote.price_moved": (
        "the expected price moved {bps} bps (from {was} to {now} {quote}; tolerance {tolerance} bps)",
        "预计价格变动了 {bps} 个基点（从 {was} 到 {now} {quote}；容许范围 {tolerance} 个基点）",
        "預計價格變動了 {bps} 個基點（由 {was} 到 {now} {quote}；容許範圍 {tolerance} 個基點）",
    ),
    "requote.what.sent": ("the amount sent", "下单数量", "落單數量"),
    "requote.what.get": ("what you get", "您将收到的数额", "您將收到的數額"),
    "requote.what.pay": ("what you pay", "您需支付的数额", "您需支付的數額"),
    "requote.amount_currency": (
        "{what} is now in {now_currency}, not {was_currency}",
        "{what}现以 {now_currency} 计，而非 {was_currency}",
        "{what}現以 {now_currency} 計，而非 {was_currency}",
    ),
    "requote.amount_moved": (
        "{what} is now {now} {currency}, not {was} ({bps} bps; tolerance {tolerance} bps)",
        "{what}现为 {now} {currency}，而非 {was}（变动 {bps} 个基点；容许范围 {tolerance} 个基点）",
        "{what}現為 {now} {currency}，而非 {was}（變動 {bps} 個基點；容許範圍 {tolerance} 個基點）",
    ),
    "requote.amount_new": (
        "{what} is now {now} {currency}, not {was} (a new amount; tolerance {tolerance} bps)",
        "{what}现为 {now} {currency}，而非 {was}（新的数额；容许范围 {tolerance} 个基点）",
        "{what}現為 {now} {currency}，而非 {was}（新的數額；容許範圍 {tolerance} 個基點）",
    ),
    "requote.fee_rate": (
        "the fee is now {rate}% in {currency}, not {was_rate}% in {was_currency}",
        "手续费现为 {rate}%（以 {currency} 收取），而非 {was_rate}%（以 {was_currency} 收取）",
        "手續費現為 {rate}%（以 {currency} 收取），而非 {was_rate}%（以 {was_currency} 收取）",
    ),
    "requote.fee_moved": (
        "the fee is now {now} {currency}, not {was} ({bps} bps; tolerance {tolerance} bps)",
        "手续费现为 {now} {currency}，而非 {was}（变动 {bps} 个基点；容许范围 {tolerance} 个基点）",
        "手續費現為 {now} {currency}，而非 {was}（變動 {bps} 個基點；容許範圍 {tolerance} 個基點）",
    ),
    "requote.fee_new": (
        "the fee is now {now} {currency}, not {was} (a new amount; tolerance {tolerance} bps)",
        "手续费现为 {now} {currency}，而非 {was}（新的数额；容许范围 {tolerance} 个基点）",
        "手續費現為 {now} {currency}，而非 {was}（新的數額；容許範圍 {tolerance} 個基點）",
    ),
    "requote.policy": (
        "the policy changed from {was} to {now}, and so did its verdict",
        "交易规则已由 {was} 更新为 {now}，判定结果也随之改变",
        "交易規則已由 {was} 更新為 {now}，判定結果亦隨之改變",
    ),
    "refused.requoted": (
        "Not sent: {reasons}. Here is the new preview.",
        "未发送：{reasons}。以下是新的预览。",
        "未發送：{reasons}。以下是新的預覽。",
    ),
    "deny.QUOTE_NOT_ALLOWED": (
        "orders priced in {quote} are not available to your account",
        "您的账户不能下以 {quote} 计价的订单",
        "您的帳戶不能落以 {quote} 計價的訂單",
    ),
}

_FIELDS = string.Formatter()


def placeholders(template: str) -> frozenset[str]:
    """The parameters a template names."""
    return frozenset(name for _, name, _, _ in _FIELDS.parse(template) if name)


def render(code: str, locale: Locale, params: Mapping[str, object] | None = None) -> str:
    """The sentence ``code`` in ``locale`` filled with ``params`` (already formatted).
    Raises ``KeyError`` for an unknown code or a missing parameter: a bug, never a guess."""
    template = MESSAGES[code][LOCALES.index(locale)]
    return template.format_map(dict(params or {}))


def has(code: str) -> bool:
    return code in MESSAGES
