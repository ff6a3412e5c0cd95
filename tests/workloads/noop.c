// SPDX-License-Identifier: GPL-2.0
/* Exits 0 at once: the program the exec storm runs. */
int main(void)
{
	return 0;
}
