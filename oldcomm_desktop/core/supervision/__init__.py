"""Supervision (督办考核): scheduled checks, county orders, management rankings, township assessment,
residents' requests and the 通报 lists made from them. One module per thing; no Qt."""
