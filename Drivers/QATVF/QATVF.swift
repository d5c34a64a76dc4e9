// The QATVF vendor driver.
