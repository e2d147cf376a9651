/* placeholder */
#include "story_test.h"
int main(void)
{
	return 0;
}
